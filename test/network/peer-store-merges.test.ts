// One peer-store write per peer and protocol, not one per substream: two js-libp2p nodes over TCP on
// loopback, 20 request substreams on one protocol; the store's own merge runs once for it on each side,
// the record names the protocol, and a change to the record (identify replacing the protocol list)
// makes the next substream merge for real again; our own record is always merged for real.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import '../../src/platform/node-polyfills.ts'
import { skipRepeatedProtocolMerges } from '../../src/network/peer-store-merges.ts'

const PROTO = '/test/req/1'

async function node(): Promise<{ libp2p: Libp2p; merges: string[][] }> {
  const libp2p = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionGater: { denyDialMultiaddr: () => false }, connectionManager: { inboundConnectionThreshold: 200, maxIncomingPendingConnections: 200 } })
  // counts the merges about other peers that reach the store (protocol-only ones: those a substream makes)
  const merges: string[][] = []
  const real = libp2p.peerStore.merge.bind(libp2p.peerStore)
  libp2p.peerStore.merge = (id, data, opts) => {
    if (Object.keys(data).join() === 'protocols' && !id.equals(libp2p.peerId)) merges.push(data.protocols!)
    return real(id, data, opts)
  }
  await libp2p.handle(PROTO, (stream) => void stream.close())
  skipRepeatedProtocolMerges(libp2p)
  return { libp2p, merges }
}

test('peer store: a protocol is merged into a peer record once, not per substream, and again after the record changes', async () => {
  const a = await node()
  const b = await node()
  try {
    const conn = await a.libp2p.dial(b.libp2p.getMultiaddrs()[0])
    const opened = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = await conn.newStream(PROTO)
        await s.close()
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    await opened(20)
    const protoMerges = (m: string[][]) => m.filter((p) => p.includes(PROTO)).length
    assert.equal(protoMerges(a.merges), 1, 'the dialer: one real merge for 20 substreams')
    assert.equal(protoMerges(b.merges), 1, 'the listener: one real merge for 20 substreams')
    assert.ok((await a.libp2p.peerStore.get(b.libp2p.peerId)).protocols.includes(PROTO), 'the record names the protocol')
    // the record changes (identify would replace the list): the next substream merges for real
    await a.libp2p.peerStore.patch(b.libp2p.peerId, { protocols: ['/other/1'] })
    await opened(3)
    assert.equal(protoMerges(a.merges), 2)
    assert.ok((await a.libp2p.peerStore.get(b.libp2p.peerId)).protocols.includes(PROTO), 'the protocol is back in the record')
    // our own record: a protocol handled, unhandled and handled again is in it (merged for real each time)
    for (let i = 0; i < 2; i++) {
      await a.libp2p.unhandle(PROTO)
      assert.ok(!(await a.libp2p.peerStore.get(a.libp2p.peerId)).protocols.includes(PROTO))
      await a.libp2p.handle(PROTO, (stream) => void stream.close())
    }
    assert.ok((await a.libp2p.peerStore.get(a.libp2p.peerId)).protocols.includes(PROTO), 'our own record names the protocol again')
  } finally {
    await a.libp2p.stop()
    await b.libp2p.stop()
  }
})
