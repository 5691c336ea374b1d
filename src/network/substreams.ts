// Reading Substrate's framed messages off libp2p substreams (each message prefixed by its unsigned-varint
// length), with a size limit and a timeout for the first one; and optimistic multistream-select for the
// request substreams we open (the protocol selected in the same write as the request). The network
// host's plumbing, apart from the protocols themselves.

import { yamux } from '@chainsafe/libp2p-yamux'
import type { Stream } from '@libp2p/interface'
import { FrameDecoder, ProtocolError } from './codec/index.ts'
import { coalesceMuxerWrites } from './muxer-writes.ts'

/**
 * The bytes a peer sends on a substream, in order, until its end. We listen to the stream's events
 * rather than use its async iterator: with js-libp2p 3.x that iterator ends on the remote's half-close,
 * and peers that send a request together with the half-close in one frame (smoldot, Substrate) would
 * have their request dropped. 'end' and 'close' come only after buffered data has been dispatched.
 */
export async function* chunks(stream: Stream): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = []
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const onMessage = (e: Event) => {
    const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
    const u = d instanceof Uint8Array ? d : d.subarray()
    // plain Uint8Array views (not Node Buffers), so decoded values compare like every other byte array
    queue.push(new Uint8Array(u.buffer, u.byteOffset, u.byteLength))
    wake?.()
  }
  const onEnd = (e: Event) => {
    ended = true
    const err = (e as Event & { error?: Error }).error
    if (err) failure = err
    wake?.()
  }
  stream.addEventListener('message', onMessage)
  stream.addEventListener('end', onEnd)
  stream.addEventListener('close', onEnd)
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!
      if (ended || stream.readStatus === 'closed') {
        if (failure) throw failure
        return
      }
      await new Promise<void>((r) => (wake = r))
      wake = undefined
    }
  } finally {
    stream.removeEventListener('message', onMessage)
    stream.removeEventListener('end', onEnd)
    stream.removeEventListener('close', onEnd)
  }
}

export async function* frames(stream: Stream, max: number): AsyncGenerator<Uint8Array> {
  const dec = new FrameDecoder(max)
  for await (const bytes of chunks(stream)) {
    for (const f of dec.push(bytes)) yield f
  }
}

/** Bytes of a frame carrying `n` bytes: the unsigned-varint length prefix, then the bytes. */
export function framedLength(n: number): number {
  let prefix = 1
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) prefix++
  return prefix + n
}

/** A peer that did not answer in time: slow or overloaded, not misbehaving (no ban, lower reputation). */
export class PeerTimeoutError extends Error {
  override readonly name = 'PeerTimeoutError'
}

export async function firstFrame(stream: Stream, max: number, timeoutMs: number, optimisticProtocol?: string): Promise<Uint8Array> {
  const it = frames(stream, max)[Symbol.asyncIterator]()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new PeerTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  const next = async () => {
    const r = await Promise.race([it.next(), timeout])
    if (r.done) throw new Error('substream closed before a full message') // not misbehaviour: a cancelled request
    return r.value
  }
  try {
    if (optimisticProtocol !== undefined) {
      // the peer's multistream-select answer to what we sent ahead of the request: its header, then our
      // protocol echoed (accepted) or `na` (not supported: no misbehaviour, the request just fails)
      const header = new TextDecoder().decode(await next())
      const answer = new TextDecoder().decode(await next())
      if (header !== MSS_HEADER) throw new ProtocolError('Malformed', `multistream-select header expected, got ${JSON.stringify(header.slice(0, 40))}`)
      if (answer === 'na\n') throw new Error(`the peer does not support ${optimisticProtocol}`)
      if (answer !== `${optimisticProtocol}\n`) throw new ProtocolError('Malformed', `multistream-select answered ${JSON.stringify(answer.slice(0, 80))} for ${optimisticProtocol}`)
    }
    return await next()
  } finally {
    clearTimeout(timer)
  }
}

export const MSS_HEADER = '/multistream/1.0.0\n'
/** The option our muxer wrapper reads: the protocol a new outbound stream will select optimistically. */
export const OPTIMISTIC = 'sublightOptimisticProtocol'

/**
 * Optimistic multistream-select for request substreams (what smoldot and rust-libp2p's `V1Lazy` do):
 * js-libp2p 3.x always negotiates before handing a stream over — one round trip before the request
 * can go out (its `negotiateFully: false` is ignored by @libp2p/multistream-select 7). This wraps the
 * muxer so that a stream opened with `{ [OPTIMISTIC]: protocol }` is handed over as already selected;
 * `request()` then sends the multistream header, the protocol and the request in one write, and skips
 * the peer's echo before the response (`firstFrame`): one round trip per request instead of two.
 */
export function withOptimisticStreams(make: ReturnType<typeof yamux>): ReturnType<typeof yamux> {
  return () => {
    const factory = make()
    const createMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (...args) => {
      const muxer = createMuxer(...args)
      // the frames of one run of JavaScript leave in one write (muxer-writes.ts)
      coalesceMuxerWrites(muxer)
      const createStream = muxer.createStream.bind(muxer)
      muxer.createStream = async (options) => {
        const stream = await createStream(options)
        const protocol = (options as Record<string, unknown> | undefined)?.[OPTIMISTIC]
        if (typeof protocol === 'string') stream.protocol = protocol
        return stream
      }
      return muxer
    }
    return factory
  }
}
