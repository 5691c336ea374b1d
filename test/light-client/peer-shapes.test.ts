// The light client meets peers shaped differently from our own node, and must follow all of them:
// - call proofs padded with nodes the call did not read (`:code` and `:heappages`, as our node used to
//   serve them, and as some implementations still do): accepted, the answers unchanged;
// - an older Substrate's empty `Response{}` for a request it cannot serve: "this peer cannot answer"
//   (the next peer is asked), never a ban;
// - a connection reset under it (the node side aborts the connection, three times): the client dials
//   again, redoes its handshake and follows, finality advancing within 15 s each time.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { NetworkHost, type ChainServer } from '../../src/network/index.ts'
import { decodeProof, encodeProof } from '../../src/trie/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

/** `server`'s answers, with every call proof padded with the nodes proving `:code` and `:heappages`. */
function withPaddedCallProofs(server: ChainServer): ChainServer {
  return {
    genesisHash: server.genesisHash,
    best: () => server.best(),
    finalized: () => server.finalized?.() ?? server.best(),
    blocks: (req, max) => server.blocks(req, max),
    readProof: (b, keys) => server.readProof(b, keys),
    readChildProof: (b, ck, keys) => server.readChildProof(b, ck, keys),
    warpProof: (from) => server.warpProof(from),
    callProof: async (b, m, a) => {
      const proof = await server.callProof(b, m, a)
      const extra = server.readProof(b, [utf8(':code'), utf8(':heappages')])
      return proof && extra && encodeProof([...decodeProof(proof), ...decodeProof(extra)])
    },
  }
}

test('call proofs padded with :code and :heappages nodes are accepted; answers equal the node state', { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const padded = await NetworkHost.start({ transports: nodeTransports(), server: withPaddedCallProofs(dev.chain), listen: ['/ip4/127.0.0.1/tcp/0'] })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (l, _t, m) => logs.push(`${l} ${m}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    // the padding peer is the only one: every call goes through its proofs
    const chain = await addChainWith(client, specText, [padded.addresses()[0]])
    const { rpc } = session(chain)
    const meta = await rpc('state_call', ['Metadata_metadata', '0x'])
    assert.equal(meta.error, undefined, JSON.stringify(meta.error))
    const bytes = new Reader(Uint8Array.from(Buffer.from(meta.result.slice(2), 'hex'))).vecU8()
    assert.equal(toHex(bytes), readFixtureText('runtimes', 'node-template-metadata.hex').trim())
    const auth = await rpc('state_call', ['AuraApi_authorities', '0x'])
    assert.equal(auth.error, undefined)
    assert.equal((auth.result.length - 4) / 64, 2, 'Alice and Bob')
    assert.deepEqual(logs.filter((l) => /bann/.test(l)), [])
  } finally {
    await client.terminate().catch(() => {})
    await padded.stop()
    await dev.stop()
  }
})

test("an older Substrate's empty Response{} for what it cannot serve: the next peer answers, nobody banned", { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  // the old peer: the devnet's blocks, but no proof of anything, answered with an empty Response{}
  let asked = 0
  const old: ChainServer = {
    genesisHash: dev.chain.genesisHash,
    best: () => dev.chain.best(),
    finalized: () => dev.chain.finalized(),
    blocks: (req, max) => dev.chain.blocks(req, max),
    warpProof: (from) => dev.chain.warpProof(from),
    readProof: () => void asked++,
    readChildProof: () => void asked++,
    callProof: () => void asked++,
  }
  const oldPeer = await NetworkHost.start({ transports: nodeTransports(), server: old, listen: ['/ip4/127.0.0.1/tcp/0'], emptyLightResponses: true })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (l, _t, m) => logs.push(`${l} ${m}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0], oldPeer.addresses()[0]])
    const { rpc } = session(chain)
    await waitFor(async () => (await rpc('system_health', [])).result.peers === 2, 20_000, 'both peers')
    // enough reads that the old peer is asked too (the most recent peer is asked first)
    for (let i = 0; i < 6 && asked === 0; i++) {
      const r = await rpc('state_getStorage', ['0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac'])
      assert.equal(r.error, undefined, JSON.stringify(r.error))
      assert.match(r.result, /^0x[0-9a-f]{8}$/, 'System.Number from the honest peer')
    }
    assert.ok(asked > 0, 'the old peer was asked')
    assert.deepEqual(logs.filter((l) => /bann/.test(l)), [], 'an empty Response{} is no misbehaviour')
    assert.equal((await rpc('system_health', [])).result.peers, 2)
  } finally {
    await client.terminate().catch(() => {})
    await oldPeer.stop()
    await dev.stop()
  }
})

test('connection reset under the client, three times: it dials again and finality advances within 15 s each time', { ...needsFixtures, timeout: 120_000 }, async (t) => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (l, _t, m) => logs.push(`${l} ${m}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc } = session(chain)
    const finalized = async () => Number((await rpc('chain_getHeader', [(await rpc('chain_getFinalizedHead', [])).result])).result?.number ?? -1)
    await waitFor(async () => (await finalized()) >= 1, 60_000, 'the client finalizing')
    const clientId = (await rpc('system_localPeerId', [])).result as string
    for (let round = 1; round <= 3; round++) {
      const before = await finalized()
      const conns = dev.host.libp2p.getConnections().filter((c) => c.remotePeer.toString() === clientId)
      assert.ok(conns.length > 0, 'connected before the reset')
      const reset = Date.now()
      for (const c of conns) c.abort(new Error('connection reset (test)'))
      await waitFor(async () => (await finalized()) > before, 15_000, async () => `round ${round}: finality after the reset (#${await finalized()}, before #${before})\n${logs.slice(-15).join('\n')}`)
      t.diagnostic(`round ${round}: finalized again ${Date.now() - reset} ms after the reset`)
    }
    assert.deepEqual(logs.filter((l) => /bann/.test(l)), [])
    assert.equal(dev.host.isBanned(clientId), false)
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
