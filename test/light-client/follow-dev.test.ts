// Acceptance (light client, first slice): sublight's light client, through smoldot's API, with a
// `sublight dev` node (node-template: Aura + GRANDPA, real runtime) as its only peer. It warp-syncs to the
// node's latest finalized block (not genesis), reports newBlock / bestBlockChanged / finalized with the
// node's hashes, and answers chainHead_v1 header, body, storage (Alice's account = the node's value) and
// call (Metadata_metadata = the fixture's bytes) from proofs it checks itself; the spec gets a default
// child trie in its genesis so that child-trie storage queries are checked against the node's state too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { blake2_256, sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { AlreadyDestroyedError, start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const CHILD = '0x6368696c64'

test('light client follows a sublight devnet through smoldot\'s API', { ...needsFixtures, timeout: 120_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  json.genesis.raw.childrenDefault = { [CHILD]: { '0x01': '0xaa', '0x0102': '0xbb', '0x02': '0xcc' } }
  const specText = JSON.stringify(json)
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, log: (l) => void (process.env.SUBLIGHT_LOG && console.error('dev', l)) })
  const client = start({ maxLogLevel: Number(process.env.SUBLIGHT_LOG ?? 1), logCallback: (l, t, m) => void (process.env.SUBLIGHT_LOG && console.error(l, t, m)) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc: call, event, events } = session(chain)
    // answered at once, before any sync
    assert.equal((await call('chainSpec_v1_genesisHash', [])).result, toHex(dev.chain.genesisHash))
    assert.equal(typeof (await call('system_health', [])).result.peers, 'number')
    const sub = (await call('chainHead_v1_follow', [true])).result as string

    const init = await event((e) => e.event === 'initialized', 'initialized')
    const finHash = init.finalizedBlockHashes[0]
    const fin = dev.chain.block(Uint8Array.from(Buffer.from(finHash.slice(2), 'hex')))
    assert.ok(fin && fin.header.number >= 1, `initialized at one of the node's finalized blocks, not genesis (${finHash})`)
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'node-template')

    // new blocks, best and finality, all the node's
    const nb = await event((e) => e.event === 'newBlock' && dev.chain.block(Uint8Array.from(Buffer.from(e.blockHash.slice(2), 'hex')))!.header.number > fin.header.number, 'newBlock')
    assert.ok(dev.chain.block(Uint8Array.from(Buffer.from(nb.blockHash.slice(2), 'hex'))))
    await event((e) => e.event === 'bestBlockChanged', 'bestBlockChanged')
    const finalized = await event((e) => e.event === 'finalized', 'finalized')
    for (const h of finalized.finalizedBlockHashes) assert.ok(dev.chain.block(Uint8Array.from(Buffer.from(h.slice(2), 'hex'))), `finalized ${h} is the node's`)

    // header, storage, call and body at the initial finalized block
    assert.equal((await call('chainHead_v1_header', [sub, finHash])).result, toHex(encodeHeader(fin.header)))
    const alice = storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey])
    const st = (await call('chainHead_v1_storage', [sub, finHash, [{ key: toHex(alice), type: 'value' }], null])).result
    const items = await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems', 'storage items')
    // the node's own value at that block (its state is kept: the block is recent)
    const nodeValue = dev.chain.block(fin.hash)!.state!.get(alice)!
    assert.equal(items.items[0].value, toHex(nodeValue))
    const op = (await call('chainHead_v1_call', [sub, finHash, 'Metadata_metadata', '0x'])).result
    const done = await event((e) => e.operationId === op.operationId && e.event !== 'operationStorageItems', 'call done')
    assert.equal(done.event, 'operationCallDone', JSON.stringify(done))
    const out = Uint8Array.from(Buffer.from(done.output.slice(2), 'hex'))
    assert.equal(toHex(new Reader(out).vecU8()), readFixtureText('runtimes', 'node-template-metadata.hex').trim().toLowerCase())
    // the default child trie: values, hashes, descendants and Merkle values, and a trie that does not exist
    const childItems = [
      { key: '0x0102', type: 'value' },
      { key: '0x02', type: 'hash' },
      { key: '0x03', type: 'value' },
      { key: '0x01', type: 'descendantsValues' },
      { key: '0x01', type: 'closestDescendantMerkleValue' },
    ]
    const storageOf = async (childTrie: string) => {
      const op = (await call('chainHead_v1_storage', [sub, finHash, childItems, childTrie])).result
      const end = await event((e) => e.operationId === op.operationId && e.event !== 'operationStorageItems', 'child storage done')
      assert.equal(end.event, 'operationStorageDone', JSON.stringify(end))
      return events.filter((e) => e.operationId === op.operationId && e.event === 'operationStorageItems').flatMap((e) => e.items)
    }
    const state = dev.chain.block(fin.hash)!.state!
    const ck = Uint8Array.from(Buffer.from(CHILD.slice(2), 'hex'))
    const hex = (s: string) => Uint8Array.from(Buffer.from(s.slice(2), 'hex'))
    assert.deepEqual(await storageOf(CHILD), [
      { key: '0x0102', value: toHex(state.childGet(ck, hex('0x0102'))!) },
      { key: '0x02', hash: toHex(blake2_256(state.childGet(ck, hex('0x02'))!)) },
      { key: '0x01', value: '0xaa' },
      { key: '0x0102', value: '0xbb' },
      { key: '0x01', closestDescendantMerkleValue: toHex(dev.chain.closestDescendantMerkleValue(fin.hash, hex('0x01'), ck)!) },
    ])
    assert.deepEqual(await storageOf('0x6e6f6e65'), [])

    const body = (await call('chainHead_v1_body', [sub, finHash])).result
    const bodyDone = await event((e) => e.operationId === body.operationId, 'body')
    assert.equal(bodyDone.event, 'operationBodyDone')
    assert.deepEqual(bodyDone.value, fin.body.map(toHex))

    // removal frees the chain at once
    chain.remove()
    assert.throws(() => chain.sendJsonRpc('{}'), (e: unknown) => e instanceof AlreadyDestroyedError)
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
