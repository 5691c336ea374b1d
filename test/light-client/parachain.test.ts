// #14: a parachain followed through its relay chain, offline, on real data. The relay chain is a
// `sublight dev` node-template devnet whose genesis registers para 1005 (`Paras::Heads(1005)` = the real
// Polkadot Coretime genesis header); the parachain's only peer serves Coretime's real genesis state. The
// light client gets the parachain spec *without* its genesis storage (state root only), so everything it
// answers about the parachain comes from the peer's proofs checked against the relay-vouched header.
// Then the relay's sudo sets a new para head (a child of genesis) through a real extrinsic: the parachain
// reports it as newBlock, best, and finalized once the relay finalizes the block that set it.
// A parachain whose relay chain is not among `potentialRelayChains` is refused as smoldot refuses it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { Writer, toHex } from '../../src/codec/index.ts'
import { genesisHeader, parseChainSpec } from '../../src/chain-spec/index.ts'
import { storageKey } from '../../src/crypto/index.ts'
import { EMPTY_TRIE_ROOT } from '../../src/trie/index.ts'
import { encodeHeader, headerHash, type Header } from '../../src/header/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { GenesisChainServer, NetworkHost } from '../../src/network/index.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import { AddChainError, start } from '../../src/light-client/index.ts'
import { session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const PARA_ID = 1005
const headKey = storageKey('Paras', 'Heads', ['Twox64Concat', new Writer().u32(PARA_ID).finish()])
const headValue = (h: Header) => new Writer().vecU8(encodeHeader(h)).finish()

test('a parachain follows its relay chain: vouched heads, proofs from its own peer', { ...needsFixtures, timeout: 180_000 }, async () => {
  const paraJson = JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json'))
  const paraSpec = parseChainSpec(JSON.stringify(paraJson))
  const paraGenesis = genesisHeader(paraSpec)
  const paraGenesisHash = headerHash(paraGenesis)
  assert.equal(toHex(paraGenesisHash), '0xefb56e30d9b4a24099f88820987d0f45fb645992416535d87650d98e00f46fc4', 'the fixture README\'s genesis hash')

  const relayJson = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  relayJson.id = 'test-relay'
  relayJson.genesis.raw.top[toHex(headKey)] = toHex(headValue(paraGenesis))
  const relaySpec = parseChainSpec(JSON.stringify(relayJson))
  const dev = await DevNode.start({ spec: relaySpec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: 0 })
  const paraPeer = await NetworkHost.start({ transports: nodeTransports(), server: new GenesisChainServer(paraSpec), listen: ['/ip4/127.0.0.1/tcp/0'] })
  const client = start({ maxLogLevel: Number(process.env.SUBLIGHT_LOG ?? 1), logCallback: (l, t, m) => void (process.env.SUBLIGHT_LOG && console.error(l, t, m)) })
  let api: ApiPromise | undefined
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the relay devnet finalizing a block')
    relayJson.bootNodes = [dev.host.addresses()[0]]
    const relay = await client.addChain({ chainSpec: JSON.stringify(relayJson), disableJsonRpc: true })
    // the parachain spec as the light client gets it: relay renamed to ours, genesis by state root only
    const lightPara = { ...paraJson, relay_chain: 'test-relay', bootNodes: [paraPeer.addresses()[0]], genesis: { stateRootHash: toHex(paraGenesis.stateRoot) } }
    await assert.rejects(client.addChain({ chainSpec: JSON.stringify(lightPara) }), (e: Error) => e instanceof AddChainError && e.message.startsWith("Couldn't find relevant relay chain") && e.message.includes('"test-relay"'))
    const para = await client.addChain({ chainSpec: JSON.stringify(lightPara), potentialRelayChains: [relay] })
    const { rpc, event } = session(para)
    assert.equal((await rpc('chainSpec_v1_genesisHash', [])).result, toHex(paraGenesisHash))
    const sub = (await rpc('chainHead_v1_follow', [true])).result as string
    const init = await event((e) => e.event === 'initialized', 'initialized')
    assert.deepEqual(init.finalizedBlockHashes, [toHex(paraGenesisHash)], 'initialized at the head the relay chain vouches for')
    // the runtime (its :code) and storage come from the parachain peer's proofs
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'coretime-polkadot')
    const st = (await rpc('chainHead_v1_storage', [sub, toHex(paraGenesisHash), [{ key: toHex(storageKey('ParachainInfo', 'ParachainId')), type: 'value' }], null])).result
    const items = await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems', 'storage items')
    assert.equal(items.items[0].value, toHex(new Writer().u32(PARA_ID).finish()), 'ParachainInfo::ParachainId is the spec\'s para id')

    // the relay's sudo moves the para head to a child of genesis
    const next: Header = { parentHash: paraGenesisHash, number: 1, stateRoot: paraGenesis.stateRoot, extrinsicsRoot: EMPTY_TRIE_ROOT, digest: [] }
    const nextHash = toHex(headerHash(next))
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true })
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    await api.tx.sudo.sudo(api.tx.system.setStorage([[toHex(headKey), toHex(headValue(next))]])).signAndSend(alice)
    const nb = await event((e) => e.event === 'newBlock' && e.blockHash === nextHash, 'newBlock for the new para head')
    assert.equal(nb.parentBlockHash, toHex(paraGenesisHash))
    await event((e) => e.event === 'bestBlockChanged' && e.bestBlockHash === nextHash, 'bestBlockChanged to it')
    const fin = await event((e) => e.event === 'finalized' && e.finalizedBlockHashes.includes(nextHash), 'finalized once the relay finalizes it')
    assert.deepEqual(fin.finalizedBlockHashes, [nextHash])
    // the relay's finalized block really holds it: the node's own state at its finalized block
    await waitFor(() => toHex(dev.chain.block(dev.chain.finalized().hash)!.state!.get(headKey) ?? new Uint8Array()) === toHex(headValue(next)), 30_000, 'the node to agree')
  } finally {
    await api?.disconnect()
    await client.terminate().catch(() => {})
    await paraPeer.stop()
    await dev.stop()
  }
})
