// Yamux window updates (src/network/yamux-windows.ts): a receiver sends one once half a substream's
// window is used, not one per data frame, and flow control still carries any amount of data. Two real
// @chainsafe/libp2p-yamux muxers over libp2p's in-memory connection pair; the frames the receiver writes
// are decoded from the wire (12-byte yamux headers), not taken from the code under test.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddrConnectionPair } from '@libp2p/utils'
import type { Stream, StreamMuxer } from '@libp2p/interface'
import { deferYamuxWindowUpdates, windowUpdateDeferred } from '../../src/network/yamux-windows.ts'
import { StreamState } from '@chainsafe/libp2p-yamux/stream'

const WINDOW_UPDATE = 1
const DATA = 0
const ACK = 2

/** Window-update frames in the bytes written by one side: [flags, length] each. */
function windowUpdates(written: Uint8Array[]): { flags: number; length: number }[] {
  const all = new Uint8Array(written.reduce((n, b) => n + b.length, 0))
  let at = 0
  for (const b of written) all.set(b, (at += b.length) - b.length)
  const out: { flags: number; length: number }[] = []
  const view = new DataView(all.buffer)
  for (let p = 0; p + 12 <= all.length; ) {
    const type = all[p + 1]
    const flags = view.getUint16(p + 2)
    const length = view.getUint32(p + 8)
    if (type === WINDOW_UPDATE) out.push({ flags, length })
    p += 12 + (type === DATA ? length : 0)
  }
  return out
}

async function muxerPair(): Promise<{ sender: StreamMuxer; written: Uint8Array[]; incoming: Promise<Stream> }> {
  deferYamuxWindowUpdates()
  const [a, b] = multiaddrConnectionPair()
  const written: Uint8Array[] = []
  // what the receiving side writes to the wire
  const send = b.send.bind(b)
  b.send = (data) => {
    written.push(data instanceof Uint8Array ? data.slice() : data.subarray().slice())
    return send(data)
  }
  const factory = yamux({ enableKeepAlive: false })()
  const sender = factory.createStreamMuxer(a)
  const receiver = factory.createStreamMuxer(b)
  const incoming = new Promise<Stream>((resolve) => receiver.addEventListener('stream', (e) => resolve((e as CustomEvent<Stream>).detail), { once: true }))
  return { sender, written, incoming }
}

test('a receiver sends one window update per half window consumed, not one per frame, and all data arrives', async () => {
  const { sender, written, incoming } = await muxerPair()
  const out = await sender.createStream()
  const inb = await incoming
  let received = 0
  inb.addEventListener('message', (e) => {
    const d = (e as Event & { data: { byteLength: number } }).data
    received += d.byteLength
  })
  const chunk = new Uint8Array(1024).fill(7)
  const send = async (n: number) => {
    for (let i = 0; i < n; i++) if (!out.send(chunk)) await new Promise((r) => out.addEventListener('drain', r, { once: true }))
  }
  // 100 KiB in 100 frames: less than half of the 256 KiB window
  await send(100)
  await waitUntil(() => received === 100 * 1024)
  const early = windowUpdates(written)
  // only the ACK that opens the stream (sent with the first frame received)
  assert.ok(early.length <= 1, `${early.length} window updates for 100 frames: ${JSON.stringify(early)}`)
  for (const f of early) assert.equal(f.flags & ACK, ACK, 'the stream\'s ACK')
  // 4 MiB more: far past the initial window, so the sender depends on the updates
  await send(4096)
  await waitUntil(() => received === 4196 * 1024)
  const all = windowUpdates(written).filter((f) => !(f.flags & ACK))
  assert.ok(all.length >= 4 && all.length <= 40, `${all.length} window updates for 4,196 frames`)
  // each one returns at least half a window
  for (const f of all) assert.ok(f.length >= 128 * 1024, `an update of ${f.length} bytes`)
  await sender.close()
})

test('the deferral rule: only an established stream with more than half its window left waits', () => {
  const W = 256 * 1024
  assert.equal(windowUpdateDeferred({ state: StreamState.Established, recvWindow: W, recvWindowCapacity: W - 1 }), true)
  assert.equal(windowUpdateDeferred({ state: StreamState.Established, recvWindow: W, recvWindowCapacity: W / 2 }), false)
  // opening flags (SYN, ACK) are never held back, nor a stream resuming from a pause
  for (const state of [StreamState.Init, StreamState.SYNReceived, StreamState.Paused]) assert.equal(windowUpdateDeferred({ state, recvWindow: W, recvWindowCapacity: W - 1 }), false)
  // fields the rule does not recognize: the library decides
  assert.equal(windowUpdateDeferred({ state: StreamState.Established, recvWindow: undefined, recvWindowCapacity: W }), false)
})

async function waitUntil(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}
