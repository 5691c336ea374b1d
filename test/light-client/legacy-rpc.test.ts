// Acceptance (#14, legacy JSON-RPC on the light client): for a list of legacy requests at fixed blocks
// (headers, blocks, hashes, storage, keys paged, pairs, child tries, metadata, runtime version,
// state_call) the light client's answer, built from peers' proofs, equals the `sublight dev` node's own
// answer from its database, byte for byte; read proofs prove the same nodes; subscriptions start with
// the current values; a block the light client does not know is a clear error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey, storagePrefix } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const CHILD = '0x6368696c64'
const PREFIXED_CHILD = toHex(new TextEncoder().encode(':child_storage:default:')) + CHILD.slice(2)

test('legacy JSON-RPC: the light client answers exactly what the node answers', { ...needsFixtures, timeout: 150_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  json.genesis.raw.childrenDefault = { [CHILD]: { '0x01': '0xaa', '0x0102': '0xbb', '0x02': '0xcc' } }
  const specText = JSON.stringify(json)
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: 0 })
  const nodeUrl = `http://127.0.0.1:${dev.rpc!.port}`
  const node = async (method: string, params: unknown[]) => (await (await fetch(nodeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as any
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    await waitFor(() => dev.chain.finalized().number >= 2, 60_000, 'the devnet finalizing blocks')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc, event, notes: events } = session(chain)
    await rpc('chainHead_v1_follow', [false])
    await event((e) => e.event === 'initialized', 'initialized')
    const F = (await rpc('chain_getFinalizedHead', [])).result as string
    const fNumber = Number.parseInt((await rpc('chain_getHeader', [F])).result.number, 16)
    const alice = toHex(storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey]))
    const accounts = toHex(storagePrefix('System', 'Account'))
    const number = toHex(storagePrefix('System', 'Number'))
    const requests: [string, unknown[]][] = [
      ['chain_getHeader', [F]],
      ['chain_getBlockHash', [fNumber]],
      ['chain_getBlockHash', [[0, fNumber, fNumber + 1000]]],
      ['state_getStorage', [alice, F]],
      ['state_getStorageAt', [number, F]],
      ['state_getStorageHash', [alice, F]],
      ['state_getStorageSize', [alice, F]],
      ['state_getStorage', ['0x0123', F]],
      ['state_queryStorageAt', [[alice, number, '0x0123'], F]],
      ['state_getKeysPaged', [accounts, 10, null, F]],
      ['state_getKeysPaged', [accounts, 1, alice, F]],
      ['state_getKeysPaged', [accounts, 3, '0x00', F]],
      ['state_getKeys', [accounts, F]],
      ['state_getPairs', [accounts, F]],
      ['state_getMetadata', [F]],
      ['state_getRuntimeVersion', [F]],
      ['chain_getRuntimeVersion', [F]],
      ['state_call', ['Core_version', '0x', F]],
      ['state_call', ['AccountNonceApi_account_nonce', toHex(sr25519FromSuri('//Alice').publicKey), F]],
      ['childstate_getStorage', [PREFIXED_CHILD, '0x0102', F]],
      ['childstate_getStorageHash', [PREFIXED_CHILD, '0x02', F]],
      ['childstate_getStorageSize', [PREFIXED_CHILD, '0x01', F]],
      ['childstate_getStorageEntries', [PREFIXED_CHILD, ['0x01', '0x03'], F]],
      ['childstate_getKeys', [PREFIXED_CHILD, '0x01', F]],
      ['childstate_getKeysPaged', [PREFIXED_CHILD, '0x', 2, '0x01', F]],
    ]
    for (const [method, params] of requests) {
      const [ours, theirs] = [await rpc(method, params), await node(method, params)]
      assert.equal(theirs.error, undefined, `${method}: the node answers`)
      assert.equal(JSON.stringify(ours.result), JSON.stringify(theirs.result), `${method}(${JSON.stringify(params).slice(0, 80)})`)
    }
    // an undecodable extrinsic: the same error from both (Substrate's 1002 Verification Error)
    const [oursBad, theirsBad] = [await rpc('author_submitExtrinsic', ['0x0102']), await node('author_submitExtrinsic', ['0x0102'])]
    assert.equal(theirsBad.error?.code, 1002)
    assert.equal(oursBad.error?.code, theirsBad.error.code, JSON.stringify(oursBad.error))
    // the block itself (the node also has a justification for it; the light client keeps none)
    assert.deepEqual((await rpc('chain_getBlock', [F])).result.block, (await node('chain_getBlock', [F])).result.block)
    // read proofs: the same set of nodes (the light client's came from the node)
    const proofOf = async (f: typeof rpc) => ((await f('state_getReadProof', [[alice, number], F])).result.proof as string[]).sort()
    assert.deepEqual(await proofOf(rpc), await proofOf(node))
    // unknown blocks: null for headers and blocks, a clear error for state
    const unknown = toHex(new Uint8Array(32).fill(9))
    assert.equal((await rpc('chain_getHeader', [unknown])).result, null)
    const err = (await rpc('state_getStorage', [alice, unknown])).error
    assert.equal(err.code, -32000)
    assert.match(err.message, /Unknown block/)
    assert.equal((await rpc('childstate_getStorage', ['0x1234', '0x01', F])).error.code, -32602)
    // what a light client cannot serve says so; system answers describe the light client and its peer
    const refused = (await rpc('author_insertKey', ['aura', '//Alice', '0x00'])).error
    assert.equal(refused.code, -32601)
    assert.match(refused.message, /not available on a light client/)
    assert.ok(!(await rpc('rpc_methods', [])).result.methods.includes('author_insertKey'))
    assert.deepEqual((await rpc('system_nodeRoles', [])).result, ['Light'])
    const peers = (await rpc('system_peers', [])).result
    assert.deepEqual(peers.map((p: any) => [p.peerId, p.roles]), [[dev.host.peerId, 'AUTHORITY']])
    const sync = (await rpc('system_syncState', [])).result
    assert.ok(sync.currentBlock >= fNumber && sync.highestBlock >= sync.currentBlock && sync.startingBlock <= fNumber, JSON.stringify(sync))

    // subscriptions: the current head and values first, then changes with new blocks
    const heads = (await rpc('chain_subscribeNewHeads', [])).result
    const storage = (await rpc('state_subscribeStorage', [[number]])).result
    const versions = (await rpc('state_subscribeRuntimeVersion', [])).result
    await waitFor(() => events.filter((e) => e.params.subscription === storage).length >= 2, 40_000, 'two storage notifications')
    const st = events.filter((e) => e.params.subscription === storage).map((e) => e.params.result)
    assert.notEqual(st[0].changes[0][1], st[1].changes[0][1], 'System.Number changed with the new best block')
    for (const s of st) assert.equal((await node('state_getStorage', [number, s.block])).result, s.changes[0][1], 'each value is the node\'s at that block')
    assert.ok(events.some((e) => e.params.subscription === heads && e.method === 'chain_newHead'))
    assert.equal(events.find((e) => e.params.subscription === versions)?.params.result.specName, 'node-template')
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
