// A noise message leaves as one write. Two js-libp2p nodes on loopback (WebSocket, then TCP) exchange 20
// requests, one substream each, and the process's socket writes are counted: with @chainsafe/libp2p-noise
// as it is, each message's length prefix and ciphertext are written apart (two WebSocket messages, two TCP
// writes); with the encrypter our host uses (`withWholeEncryptedWrites`), half as many writes carry the
// same exchange. Every answer is checked byte for byte, so joining loses and reorders nothing; a
// request larger than a noise message (split over several) arrives whole too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import '../../src/platform/node-polyfills.ts'
import { libp2pLogger } from '../../src/network/libp2p-logger.ts'
import { withWholeEncryptedWrites } from '../../src/network/encrypted-writes.ts'
import { withOptimisticStreams } from '../../src/network/substreams.ts'

const PROTO = '/test/echo/1'
/** Node's one path for a socket's writes (`write` and `writev`), undocumented, so typed here. */
const sockets = net.Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown }

async function node(transport: 'ws' | 'tcp', whole: boolean): Promise<Libp2p> {
  const libp2p = await createLibp2p({
    ...libp2pLogger(),
    addresses: { listen: [transport === 'ws' ? '/ip4/127.0.0.1/tcp/0/ws' : '/ip4/127.0.0.1/tcp/0'] },
    transports: [transport === 'ws' ? webSockets() : tcp()],
    connectionEncrypters: [whole ? withWholeEncryptedWrites(noise()) : noise()],
    // as our host: a substream's frames of one task leave together, so one request is one muxer flush
    streamMuxers: [withOptimisticStreams(yamux())],
    connectionGater: { denyDialMultiaddr: () => false },
  })
  await libp2p.handle(PROTO, async (stream) => {
    const chunks: Uint8Array[] = []
    for await (const c of stream) chunks.push(c.subarray())
    for (const c of chunks) stream.send(c)
    await stream.close()
  })
  return libp2p
}

/** Sends `req` over a new substream and reads the echo to its end. */
async function echo(conn: Awaited<ReturnType<Libp2p['dial']>>, req: Uint8Array): Promise<Uint8Array> {
  const s = await conn.newStream(PROTO)
  s.send(req)
  await s.close()
  const parts: Uint8Array[] = []
  for await (const c of s) parts.push(c.subarray())
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.length) - p.length)
  return out
}

/** Socket writes in this process while `a` (dialled to `b` already) makes 20 echo requests; every answer is checked. */
async function writesFor(transport: 'ws' | 'tcp', whole: boolean): Promise<number> {
  const [a, b] = [await node(transport, whole), await node(transport, whole)]
  const write = sockets._writeGeneric
  try {
    const conn = await a.dial(b.getMultiaddrs()[0])
    await echo(conn, Uint8Array.of(0)) // the connection's own start-up (identify, first window) before counting
    await new Promise((r) => setTimeout(r, 100))
    let writes = 0
    sockets._writeGeneric = function (this: net.Socket, ...args: unknown[]) {
      writes++
      return write.apply(this, args)
    }
    for (let i = 0; i < 20; i++) {
      const req = crypto.getRandomValues(new Uint8Array(100 + i * 37))
      assert.deepEqual(await echo(conn, req), req, `${transport}: answer ${i} is the request`)
    }
    sockets._writeGeneric = write
    // larger than one noise message (65,535 bytes): split by noise, joined into one write, whole at the far end
    const large = new Uint8Array(150_000)
    for (let at = 0; at < large.length; at += 65536) crypto.getRandomValues(large.subarray(at, at + 65536))
    assert.deepEqual(await echo(conn, large), large, `${transport}: a 150,000-byte request comes back whole`)
    return writes
  } finally {
    sockets._writeGeneric = write
    await Promise.all([a.stop(), b.stop()])
  }
}

for (const transport of ['ws', 'tcp'] as const) {
  test(`encrypted writes (${transport}): a noise message is one write, not its length and its ciphertext apart`, async () => {
    const theirs = await writesFor(transport, false)
    const ours = await writesFor(transport, true)
    // each muxer flush (a request and its FIN, an answer and its FIN, at least one each) is one noise message:
    // two writes with noise as it is (160 here: 4 flushes a request), one with ours (80)
    assert.ok(theirs >= 80, `noise as it is: ${theirs} writes for 20 requests`)
    assert.ok(ours * 1.8 <= theirs, `half the writes: ${ours} against ${theirs}`)
  })
}
