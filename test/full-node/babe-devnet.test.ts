// #12, first slice: `sublight dev` on polkadot-dev (Polkadot runtime 9390: BABE, GRANDPA, the parachains
// inherent) authors real BABE blocks in real time — Alice's primary or secondary-VRF claims, executed by
// the runtime with the timestamp, BABE-slot and parachains inherents — and finalizes them alone. Judged
// by what we did not write for the devnet: the runtime itself (every block re-executes on its parent
// state to the same state root), our BABE verifier from genesis (every header accepted, one flipped bit
// in the seal or the VRF output refused), and the light client, which warp-syncs to the devnet from the
// spec's genesis (its checkpoint removed: it belongs to another chain instance), follows new and
// finalized blocks, and runs `BabeApi_current_epoch` there on the node's proofs, equal to the node's own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { genesisHeader, parseChainSpec } from '../../src/chain-spec/index.ts'
import { Runtime } from '../../src/executor/index.ts'
import { BABE_ENGINE, type Header } from '../../src/header/index.ts'
import { DevNode, devChainAccess, executeBlock, genesisState } from '../../src/full-node/index.ts'
import { LightSync, decodeBabeConfiguration, decodeGrandpaStart } from '../../src/sync/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('sublight dev authors BABE blocks on polkadot-dev: the runtime, our verifier and the light client accept them', { ...needsFixtures, timeout: 180_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  const specText = JSON.stringify(json)
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    await waitFor(() => dev.chain.finalized().number >= 2, 90_000, 'the BABE devnet finalizing #2')
    const blocks = [1, 2, 3].map((n) => dev.chain.blockAt(n)).filter((b) => b !== undefined)
    assert.ok(blocks.length >= 2)

    // the runtime re-executes each block on its parent's state
    let state = genesisState(spec)
    for (const b of blocks) state = executeBlock(state, { header: b.header, body: b.body })

    // our verifier, from the genesis runtime's BABE configuration and GRANDPA set
    const g = genesisState(spec)
    const rt = Runtime.load(g.get(new TextEncoder().encode(':code'))!)
    const call = (m: string) => rt.call(m, new Uint8Array(), { storage: g }).output
    const conf = decodeBabeConfiguration(call('BabeApi_configuration'))
    const fresh = () => new LightSync(genesisHeader(spec), decodeGrandpaStart(call('GrandpaApi_current_set_id'), call('GrandpaApi_grandpa_authorities')), { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } })
    const now = Date.now()
    const sync = fresh()
    for (const b of blocks) assert.equal(sync.insertHeader(b.header, now).kind, 'inserted', `#${b.header.number}`)
    const flip = (h: Header, type: 'seal' | 'preRuntime', at: number): Header => ({
      ...h,
      digest: h.digest.map((d) => (d.type === type && d.engine === BABE_ENGINE ? { ...d, payload: d.payload.map((x, i) => (i === at ? x ^ 1 : x)) } : d)),
    })
    const first = blocks[0].header
    // the seal's first byte; the VRF output starts after the kind (1), authority index (4) and slot (8)
    assert.equal(fresh().insertHeader(flip(first, 'seal', 0), now).kind, 'invalid', 'a flipped seal bit')
    assert.equal(fresh().insertHeader(flip(first, 'preRuntime', 13), now).kind, 'invalid', 'a flipped VRF output bit')

    // the light client: warp from genesis to the devnet's finality, then follow
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc, event } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [true])).result as string
    const init = await event((e) => e.event === 'initialized', 'initialized')
    const finHash = init.finalizedBlockHashes.at(-1) as string
    const fin = dev.chain.block(fromHex(finHash))
    assert.ok(fin && fin.header.number >= 1, `initialized at one of the devnet's finalized blocks (${finHash})`)
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'polkadot')
    const nb = await event((e) => e.event === 'newBlock', 'newBlock')
    assert.ok(dev.chain.block(fromHex(nb.blockHash)), 'a new block of the devnet')
    const finalized = await event((e) => e.event === 'finalized', 'finalized')
    for (const h of finalized.finalizedBlockHashes) assert.ok(dev.chain.block(fromHex(h)), `finalized ${h} is the devnet's`)
    const op = (await rpc('chainHead_v1_call', [sub, finHash, 'BabeApi_current_epoch', '0x'])).result
    const done = await event((e) => e.operationId === op.operationId, 'call done')
    assert.equal(done.event, 'operationCallDone', JSON.stringify(done))
    assert.equal(done.output, toHex(await devChainAccess(dev.chain).call(fin.hash, 'BabeApi_current_epoch', new Uint8Array())))
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
