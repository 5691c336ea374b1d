// Kademlia's FIND_NODE codec (src/network/codec/kad.ts) against js-libp2p kad-dht's own protobuf codec
// (generated from dht.proto by protons; an implementation that is not ours): our request decodes there as
// FIND_NODE with its key, their answers decode here with every peer and address, for random peers; and
// malformed or oversized answers give a ProtocolError, never another error. Then what a light client's
// lookup keeps of an answer (src/network/kad-lookup.ts), its ids and addresses built by libp2p's own
// peer-id and multiaddr libraries.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Message, MessageType, ConnectionType } from '../../node_modules/@libp2p/kad-dht/dist/src/message/dht.js'
import { ProtocolError, decodeFindNodeResponse, encodeFindNodeRequest, MAX_KAD_PEERS } from '../../src/network/codec/index.ts'

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })

test('kad: our FIND_NODE request is what kad-dht reads as FIND_NODE with our key', () => {
  fc.assert(
    fc.property(bytes(0, 64), (key) => {
      const m = Message.decode(encodeFindNodeRequest(key))
      assert.equal(m.type, MessageType.FIND_NODE)
      assert.deepEqual(new Uint8Array(m.key ?? []), key)
      assert.deepEqual(m.closer, [])
    }),
    { numRuns: 300 },
  )
})

test("kad: kad-dht's FIND_NODE answers decode with every peer id and address, in order", () => {
  const peer = fc.record({ id: bytes(1, 40), multiaddrs: fc.array(bytes(1, 30), { maxLength: 6 }), connection: fc.constantFrom(ConnectionType.CONNECTED, ConnectionType.NOT_CONNECTED, ConnectionType.CAN_CONNECT) })
  fc.assert(
    fc.property(fc.array(peer, { maxLength: 25 }), (closer) => {
      const wire = Message.encode({ type: MessageType.FIND_NODE, closer, providers: [] })
      const got = decodeFindNodeResponse(wire)
      assert.deepEqual(
        got.map((p) => ({ id: [...p.id], addrs: p.addrs.map((a) => [...a]) })),
        closer.map((p) => ({ id: [...p.id], addrs: p.multiaddrs.map((a) => [...a]) })),
      )
    }),
    { numRuns: 300 },
  )
})

test('kad: answers of another type, without peer ids, with too many peers, or garbage: ProtocolError', () => {
  const typed = (type: MessageType) => Message.encode({ type, closer: [{ id: Uint8Array.of(1), multiaddrs: [] }], providers: [] })
  assert.throws(() => decodeFindNodeResponse(typed(MessageType.PING)), ProtocolError)
  assert.throws(() => decodeFindNodeResponse(typed(MessageType.PUT_VALUE)), ProtocolError, 'type 0, which proto3 leaves out')
  assert.throws(() => decodeFindNodeResponse(Message.encode({ type: MessageType.FIND_NODE, closer: [{ id: new Uint8Array(0), multiaddrs: [Uint8Array.of(4)] }], providers: [] })), ProtocolError)
  const many = Array.from({ length: MAX_KAD_PEERS + 1 }, () => ({ id: Uint8Array.of(1), multiaddrs: [] }))
  assert.throws(() => decodeFindNodeResponse(Message.encode({ type: MessageType.FIND_NODE, closer: many, providers: [] })), ProtocolError)
  fc.assert(
    fc.property(bytes(0, 200), (junk) => {
      try {
        decodeFindNodeResponse(junk)
      } catch (e) {
        assert.ok(e instanceof ProtocolError, String(e))
      }
    }),
    { numRuns: 2000 },
  )
})

test('kad: the peers an answer names become strings; a bad id drops the peer, a bad address only itself', async () => {
  const { generateKeyPair } = await import('@libp2p/crypto/keys')
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
  const { multiaddr } = await import('@multiformats/multiaddr')
  const { foundPeer, FindNodeLookups } = await import('../../src/network/kad-lookup.ts')
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const good = multiaddr('/ip4/10.0.0.1/tcp/30333')
  const ws = multiaddr('/dns4/example.org/tcp/443/wss')
  const idBytes = id.toMultihash().bytes
  assert.deepEqual(foundPeer({ id: idBytes, addrs: [good.bytes, Uint8Array.of(0xff, 0xff), ws.bytes] }), { id: id.toString(), addrs: ['/ip4/10.0.0.1/tcp/30333', '/dns4/example.org/tcp/443/wss'] })
  assert.equal(foundPeer({ id: idBytes, addrs: [Uint8Array.of(0xff)] }), undefined, 'no address left')
  assert.equal(foundPeer({ id: Uint8Array.of(1, 2, 3), addrs: [good.bytes] }), undefined, 'not a peer id')
  // each lookup asks the next peer in turn
  const asked: string[] = []
  const lookups = new FindNodeLookups(async (peer) => (asked.push(peer), [{ id: idBytes, addrs: [good.bytes] }]))
  for (let i = 0; i < 3; i++) for await (const p of lookups.closestPeers(['a', 'b'], new Uint8Array(32), AbortSignal.timeout(1000))) assert.equal(p.id, id.toString())
  assert.deepEqual(asked, ['a', 'b', 'a'])
})
