// A call proof shaped as Substrate shapes it (recorded on Westend: no `:code`, no `:heappages`, duplicate
// and unreachable nodes) served by a peer for its block: `state_call` through the light client must give
// the runtime's answer computed locally on the same proof with the runtime's heap pages, and nobody is
// banned. The light client starts from a finalized database at that block carrying the block's runtime
// (the recorded state has no `:code` to read by proof). And our own node's call proofs hold only what the
// call read: no node that only `:code` or `:heappages` needs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bytesEqual, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { DEFAULT_HEAP_PAGES, ProofStorage, Runtime } from '../../src/executor/index.ts'
import { decodeHeader, headerHash } from '../../src/header/index.ts'
import { NetworkHost, type ChainServer } from '../../src/network/index.ts'
import { encodeDatabase } from '../../src/light-client/database.ts'
import { checkpointStart } from '../../src/sync/index.ts'
import { TX_SOURCE_EXTERNAL, validateTransactionArgs } from '../../src/transactions/index.ts'
import { decodeProof, NodeMap, TrieProof } from '../../src/trie/index.ts'
import { encodeWarpProof } from '../../src/finality/index.ts'
import { BLOCK_HEADER } from '../../src/network/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { start } from '../../src/light-client/index.ts'
import { GenesisChainServer } from '../../src/network/index.ts'
import { session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('a recorded Westend call proof (no :code, no :heappages) is run with the runtime heap pages; nobody banned', { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'westend-genesis.json')
  const spec = parseChainSpec(specText)
  const tx = JSON.parse(readFixtureText('transactions', 'validate-from-proof.json'))
  const header = decodeHeader(fromHex(tx.blockHeader))
  const hash = headerHash(header)
  const code = fromHex(tx.runtimeCode)
  const proof = fromHex(tx.callProof)
  const proofNodes = decodeProof(proof)
  // the recorded proof proves neither key: a client reading them from it would fail
  const view = TrieProof.over(header.stateRoot, mapOf(proofNodes))
  for (const k of [':code', ':heappages']) assert.equal(view.get(utf8(k)).kind, 'unknown', `the real call proof does not cover ${k}`)

  const args = validateTransactionArgs(TX_SOURCE_EXTERNAL, fromHex(tx.transactionBytes), hash)
  const expected = Runtime.load(code).call('TaggedTransactionQueue_validate_transaction', args, { storage: new ProofStorage(header.stateRoot, proofNodes), heapPages: DEFAULT_HEAP_PAGES }).output
  assert.equal(expected[0], 0, 'the recorded transaction is valid at its block')

  // the peer: Westend's genesis hash, that block as its best and finalized, the recorded proof for calls there
  const genesisHash = headerHash(genesisHeader(spec))
  let callsServed = 0
  const server: ChainServer = {
    genesisHash,
    best: () => ({ number: header.number, hash }),
    finalized: () => ({ number: header.number, hash }),
    blocks: (req) => ('hash' in req.from && bytesEqual(req.from.hash, hash) ? [{ hash, header: req.fields & BLOCK_HEADER ? encodeHeader(header) : undefined }] : []),
    readProof: () => undefined,
    readChildProof: () => undefined,
    callProof: (block, method) => {
      if (!bytesEqual(block, hash) || method !== 'TaggedTransactionQueue_validate_transaction') return undefined
      callsServed++
      return proof
    },
    warpProof: () => encodeWarpProof({ fragments: [], isFinished: true }),
  }
  const peer = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const c = checkpointStart(spec.lightSyncState!)
  const databaseContent = encodeDatabase({
    genesisHash,
    finalized: header,
    grandpa: c.grandpa,
    consensus: { kind: 'babe', slotMs: 6000n, epochs: c.babe },
    peers: [peer.addresses()[0]],
    runtime: { code, heapPages: DEFAULT_HEAP_PAGES },
  })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (_l, _t, m) => logs.push(m) })
  try {
    const chain = await client.addChain({ chainSpec: specText, databaseContent })
    const { rpc } = session(chain)
    const r = await rpc('state_call', ['TaggedTransactionQueue_validate_transaction', toHex(args), toHex(hash)])
    assert.equal(r.error, undefined, `state_call failed: ${JSON.stringify(r.error)}\n${logs.join('\n')}`)
    assert.equal(r.result, toHex(expected), 'the same validity as the runtime run locally on the same proof')
    assert.ok(callsServed >= 1, 'the answer came from the peer')
    assert.ok(!logs.some((l) => /banning/.test(l)), `nobody banned:\n${logs.filter((l) => /banning/.test(l)).join('\n')}`)
    assert.ok(peer.libp2p.getPeers().length === 1, 'the client is still connected to the peer')
  } finally {
    await client.terminate().catch(() => {})
    await peer.stop()
  }
})

test("our node's call proof holds only what the call read: no :code or :heappages nodes", needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const server = new GenesisChainServer(spec)
  const method = 'AccountNonceApi_account_nonce'
  const account = new Uint8Array(32).fill(7)
  const proof = server.callProof(server.genesisHash, method, account)!
  const nodes = decodeProof(proof)
  const map = mapOf(nodes)
  const view = TrieProof.over(server.header.stateRoot, map)
  assert.equal(view.get(utf8(':code')).kind, 'unknown', 'no :code in a call proof of a call that does not read it')
  assert.equal(view.get(utf8(':heappages')).kind, 'unknown', 'no :heappages either')
  // and the call runs on it, with the heap pages given by the caller (as a light client's runtime holds them)
  const code = genesisStorage(spec.genesis as Parameters<typeof genesisStorage>[0]).get(utf8(':code'))!
  const out = Runtime.load(code).call(method, account, { storage: new ProofStorage(server.header.stateRoot, nodes), heapPages: DEFAULT_HEAP_PAGES }).output
  assert.equal(out.length, 4, 'a u32 nonce')
  // the proof is exactly what the call reads: every node is needed (none is the :code leaf, megabytes long)
  assert.ok(proof.length < 10_000, `a nonce proof is small (${proof.length} bytes), not the runtime`)
})

function mapOf(nodes: Uint8Array[]): NodeMap {
  const m = new NodeMap()
  m.add(nodes)
  return m
}
