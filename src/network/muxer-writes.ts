// Yamux frames written in one go: the frames a muxer produces in one task of the event loop leave as one
// write on the encrypted connection.
//
// js-libp2p's yamux hands every frame to the connection at once: a request substream costs three writes
// at each end (the SYN window update, the data, the FIN; the answer: the ACK, the data, the FIN), and on
// a WebSocket each write is its own noise message (encryption, a 16-byte tag), its own WebSocket frame
// and its own `write` system call. In a profile of 1,000 storage reads those writes were the largest
// cost of a request (socket writes alone ~0.4 ms a read). rust-libp2p and smoldot buffer their muxer's
// output and flush it once per wake-up; this does the same: small frames are collected and flushed on the
// next turn of the event loop (`nextTurn`: no timer, no wait for I/O), in order. A request's SYN, data and
// FIN, produced across several promise continuations of one task, leave together; so does the answer.
// A frame of 16 KiB or more goes out at once (after what is collected): it is worth a write of its own,
// and copying it would cost more than it saves. Closing the muxer flushes before the connection closes
// (its GoAway frame is sent last). Backpressure is kept: the muxer hears that the connection is full
// from the flush, as it would have from the write.

import { nextTurn } from '../platform/next-turn.ts'

/** What a muxer hands its connection: bytes, or a list of chunks that can give them. */
interface Chunk {
  byteLength: number
  subarray(): Uint8Array
}

/** The muxer's one method for writing to its connection (`AbstractStreamMuxer.send`), and its ends. */
interface Sending {
  send(data: Chunk): boolean
  close(options?: unknown): Promise<void>
  abort(err: Error): void
}

/** Frames this large are not copied into a batch. */
const OWN_WRITE_BYTES = 16 * 1024

/**
 * Wraps `muxer.send` so that frames sent in one synchronous run are written together. A muxer without a
 * `send` method (another library version) is left as it is.
 */
export function coalesceMuxerWrites(muxer: object): void {
  const m = muxer as Partial<Sending>
  if (typeof m.send !== 'function' || typeof m.close !== 'function' || typeof m.abort !== 'function') return
  const send = m.send.bind(muxer)
  const close = m.close.bind(muxer)
  const abort = m.abort.bind(muxer)
  let pending: Uint8Array[] = []
  let bytes = 0
  const flush = (): boolean => {
    if (pending.length === 0) return true
    const parts = pending
    const out = parts.length === 1 ? parts[0] : new Uint8Array(bytes)
    if (parts.length > 1) {
      let at = 0
      for (const p of parts) {
        out.set(p, at)
        at += p.byteLength
      }
    }
    pending = []
    bytes = 0
    return send(out)
  }
  const flushLater = () => {
    try {
      flush()
    } catch {
      // the connection closed under the batch: its frames are lost with it, as a direct write's would be
    }
  }
  m.send = (data: Chunk): boolean => {
    if (data.byteLength >= OWN_WRITE_BYTES) {
      flush()
      return send(data)
    }
    if (pending.length === 0) nextTurn(flushLater)
    pending.push(data.subarray())
    bytes += data.byteLength
    return true
  }
  m.close = async (options?: unknown) => {
    try {
      await close(options)
    } finally {
      flushLater()
    }
  }
  m.abort = (err: Error) => {
    abort(err)
    flushLater()
  }
}
