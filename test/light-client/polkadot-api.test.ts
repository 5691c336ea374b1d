// Acceptance: polkadot-api, unchanged, on top of sublight's light client through its smoldot provider
// (`getSmProvider`), with a `sublight dev` node as the only peer: it reads the finalized block, a
// metadata constant, and Alice's account, which must equal what the node holds at that block; then a
// transfer Alice → Bob signed and submitted through it is included and finalized, and Bob's balance on
// the node grows by the amount.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createClient } from 'polkadot-api'
import { getSmProvider } from 'polkadot-api/sm-provider'
import { getPolkadotSigner } from 'polkadot-api/signer'
import { Reader, fromHex, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { encodeSs58, sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('polkadot-api reads the finalized block, constants and balances through the light client', { ...needsFixtures, timeout: 180_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  let papi: ReturnType<typeof createClient> | undefined
  try {
    for (let i = 0; i < 2400 && dev.chain.finalized().number < 1; i++) await new Promise((r) => setTimeout(r, 25))
    const json = JSON.parse(specText)
    json.bootNodes = [dev.host.addresses()[0]]
    const chain = await client.addChain({ chainSpec: JSON.stringify(json) })
    const traced = { sendJsonRpc: (t: string) => (process.env.SUBLIGHT_LOG && console.error('>>', t.slice(0, 300)), chain.sendJsonRpc(t)), nextJsonRpcResponse: async () => { const r = await chain.nextJsonRpcResponse(); if (process.env.SUBLIGHT_LOG) console.error('<<', r.slice(0, 300)); return r }, remove: () => chain.remove() }
    papi = createClient(getSmProvider(() => traced as never))
    const fin = await papi.getFinalizedBlock()
    const nodeBlock = dev.chain.block(fromHex(fin.hash))
    assert.ok(nodeBlock, 'the finalized block is one of the node\'s')
    assert.equal(nodeBlock.header.number, fin.number)
    const api = papi.getUnsafeApi()
    assert.equal(await api.constants.System.SS58Prefix(), 42)
    const alice = sr25519FromSuri('//Alice').publicKey
    const account = (await api.query.System.Account.getValue(encodeSs58(alice), { at: fin.hash })) as { nonce: number; data: { free: bigint } }
    // the node's own AccountInfo at that block: nonce, consumers, providers, sufficients, then free
    const raw = new Reader(nodeBlock.state!.get(storageKey('System', 'Account', ['Blake2_128Concat', alice]))!)
    const nonce = raw.u32()
    raw.u32(), raw.u32(), raw.u32()
    assert.equal(account.nonce, nonce)
    assert.equal(account.data.free, raw.u128())
    assert.equal(toHex(fromHex(fin.hash)), toHex(nodeBlock.hash))

    // a signed Alice → Bob transfer submitted through the light client reaches finality on the node
    const bob = sr25519FromSuri('//Bob').publicKey
    const bobKey = storageKey('System', 'Account', ['Blake2_128Concat', bob])
    const freeOf = (state: { get(k: Uint8Array): Uint8Array | undefined }) => {
      const r = new Reader(state.get(bobKey)!)
      r.u32(), r.u32(), r.u32(), r.u32()
      return r.u128()
    }
    const before = freeOf(dev.chain.bestBlock.state)
    const aliceKey = sr25519FromSuri('//Alice')
    const signer = getPolkadotSigner(aliceKey.publicKey, 'Sr25519', (m) => aliceKey.sign(m))
    const amount = 1_234_567_890_000n
    const result = await api.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: encodeSs58(bob) }, value: amount }).signAndSubmit(signer)
    assert.equal(result.ok, true, JSON.stringify(result.dispatchError))
    const included = dev.chain.block(fromHex(result.block.hash))
    assert.ok(included, 'included in one of the node\'s blocks')
    assert.equal(freeOf(included.state!) - before, amount, "Bob's balance grew by the amount")
  } finally {
    papi?.destroy()
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
