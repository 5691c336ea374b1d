// smoldot's public API, implemented by sublight's light client: `start()` → `Client.addChain()` →
// `Chain.sendJsonRpc()` / `nextJsonRpcResponse()` / `jsonRpcResponses`, `remove()`, `terminate()`, and
// smoldot's five error classes with their names and messages (see ../shared/smoldot-api.md). Each chain
// owns its network host and timers; `remove()` and `terminate()` free them, so nothing keeps the process
// alive afterwards.

import { ChainSpecError, parseChainSpec } from '../chain-spec/index.ts'
import { Connection, type Registry } from '../json-rpc/index.ts'
import { ChainAccessError, ChainService } from './chain-service.ts'
import type { CallRunner } from './runtime-service.ts'
import { lightClientRpc } from './rpc.ts'
import { TransactionsService } from './transactions-service.ts'
import type { Transports } from '../network/transports.ts'

/** `addChain` failed: bad chain spec, unsupported chain, bad option. */
export class AddChainError extends Error {
  override readonly name = 'AddChainError'
}
/** The client or chain was already removed or terminated. */
export class AlreadyDestroyedError extends Error {
  override readonly name = 'AlreadyDestroyedError'
  constructor() {
    super('')
  }
}
/** The chain was added with `disableJsonRpc`. */
export class JsonRpcDisabledError extends Error {
  override readonly name = 'JsonRpcDisabledError'
  constructor() {
    super('')
  }
}
/** More than `jsonRpcMaxPendingRequests` requests are waiting for their answer. (smoldot leaves `name` as "Error".) */
export class QueueFullError extends Error {
  constructor() {
    super('JSON-RPC requests queue is full')
  }
}
/** The part of a `MessagePort` both sides use (a browser's, or Node's from worker_threads). */
export interface PortLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  start?(): void
  close?(): void
}

/** An internal failure; the client is unusable afterwards. (smoldot leaves `name` as "Error".) */
export class CrashError extends Error {}

export interface ClientOptions {
  /** Default 3 (info); 1 error … 5 trace. */
  maxLogLevel?: number
  /** Where logs go (default: the console). */
  logCallback?: (level: number, target: string, message: string) => void
  /** Accepted for compatibility (0.0–1.0); sublight does not throttle. */
  cpuRateLimit?: number
  /** Transport bans, as smoldot's (default false each): boot nodes on a forbidden transport are not dialled. */
  forbidTcp?: boolean
  forbidWs?: boolean
  forbidNonLocalWs?: boolean
  forbidWss?: boolean
  /** WebRTC is not supported yet: accepted, always in effect. */
  forbidWebRtc?: boolean
  /**
   * Run the client in a worker instead (as smoldot's option): the other end of this port is given to
   * `run` from `sublight/worker` there. `startFromWorker(worker)` sets this up in one call.
   */
  portToWorker?: PortLike
}

export interface AddChainOptions {
  chainSpec: string
  databaseContent?: string
  potentialRelayChains?: Chain[]
  disableJsonRpc?: boolean
  jsonRpcMaxPendingRequests?: number
  jsonRpcMaxSubscriptions?: number
}

export interface Chain {
  sendJsonRpc(rpc: string): void
  nextJsonRpcResponse(): Promise<string>
  jsonRpcResponses: AsyncIterableIterator<string>
  remove(): void
}

export interface Client {
  addChain(options: AddChainOptions): Promise<Chain>
  terminate(): Promise<void>
}

/** The app lags when its oldest unread message is this old (ms) with at least LAG_MIN_QUEUED waiting: its follows get `stop`. */
export const LAG_MS = 10_000
export const LAG_MIN_QUEUED = 64
/** Unread messages past which notifications are dropped and their subscriptions ended (answers to requests still queue). */
export const MAX_QUEUED = 16_384

/**
 * A chain's JSON-RPC responses in arrival order, for `nextJsonRpcResponse()` and `jsonRpcResponses`
 * (shared by the in-thread chain and the one relayed from a worker). Bounded: an app that stops reading
 * has its chainHead follows stopped (`lagging`), then its other subscriptions ended (`full`); answers
 * to its requests are bounded by `jsonRpcMaxPendingRequests`.
 */
export class ResponseQueue {
  private readonly queue: { text: string; at: number }[] = []
  private head = 0
  private readonly waiting: { resolve: (s: string) => void; reject: (e: Error) => void }[] = []
  closed = false

  constructor(private readonly now: () => number = Date.now) {}

  push(text: string): void {
    if (this.closed) return
    const w = this.waiting.shift()
    if (w) w.resolve(text)
    else this.queue.push({ text, at: this.now() })
  }

  next(): Promise<string> {
    if (this.closed) return Promise.reject(new AlreadyDestroyedError())
    if (this.head < this.queue.length) {
      const { text } = this.queue[this.head++]
      // drop the read part now and then (shifting one by one is quadratic on a long queue)
      if (this.head === this.queue.length) {
        this.queue.length = 0
        this.head = 0
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head)
        this.head = 0
      }
      return Promise.resolve(text)
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  /** Messages waiting to be read. */
  get length(): number {
    return this.queue.length - this.head
  }
  /** The app is not keeping up: its oldest unread message has waited LAG_MS, with LAG_MIN_QUEUED or more behind it. */
  lagging(): boolean {
    return this.length >= LAG_MIN_QUEUED && this.now() - this.queue[this.head].at >= LAG_MS
  }
  /** The app has stopped reading: MAX_QUEUED messages unread. */
  full(): boolean {
    return this.length >= MAX_QUEUED
  }

  /** `next()` as an async iterator that ends (instead of rejecting) once the chain is removed. */
  iterator(next: () => Promise<string>): AsyncIterableIterator<string> {
    return {
      next: () => next().then(
        (value) => ({ done: false as const, value }),
        (e) => {
          if (e instanceof AlreadyDestroyedError) return { done: true as const, value: undefined }
          throw e
        },
      ),
      [Symbol.asyncIterator]() {
        return this
      },
    }
  }

  /** Removed: waiting reads reject with `AlreadyDestroyedError`, later pushes are dropped. */
  close(): void {
    this.closed = true
    for (const w of this.waiting.splice(0)) w.reject(new AlreadyDestroyedError())
  }
}

/** A JSON-RPC connection whose answers and notifications go to `queue` (bounded by how the app reads it). */
export function queueConnection(rpc: Registry, queue: ResponseQueue, maxSubscriptions = Number.MAX_SAFE_INTEGER): Connection {
  return new Connection(rpc, (text) => queue.push(text), { maxSubscriptions, maxBatch: Number.MAX_SAFE_INTEGER, lagging: () => queue.lagging(), full: () => queue.full() })
}

/** A chain of an in-thread client. */
export class LightChain implements Chain {
  private readonly responses = new ResponseQueue()
  private pending = 0
  private readonly conn: Connection | undefined
  /** Parachains following this chain: its service outlives its own `remove()` until they are gone (as smoldot's). */
  private parachains = 0
  private relay: LightChain | undefined

  constructor(
    readonly service: ChainService,
    private readonly opts: AddChainOptions,
    rpc: Registry | undefined,
    private readonly onRemove: (c: LightChain) => void,
  ) {
    this.conn = rpc && queueConnection(rpc, this.responses, opts.jsonRpcMaxSubscriptions)
  }

  sendJsonRpc(rpc: string): void {
    void this.request(rpc)
  }

  /** `sendJsonRpc` that also tells when the request is settled (answered, or needed no answer). */
  request(rpc: string): Promise<void> {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    if (!this.conn) throw new JsonRpcDisabledError()
    if (this.pending >= (this.opts.jsonRpcMaxPendingRequests ?? Infinity)) throw new QueueFullError()
    this.pending++
    return this.conn.handle(rpc).then(
      (out) => {
        this.pending--
        if (out !== undefined) this.responses.push(out)
      },
      () => void this.pending--,
    )
  }

  nextJsonRpcResponse(): Promise<string> {
    if (this.responses.closed) return Promise.reject(new AlreadyDestroyedError())
    if (!this.conn) return Promise.reject(new JsonRpcDisabledError())
    return this.responses.next()
  }

  readonly jsonRpcResponses: AsyncIterableIterator<string> = this.responses.iterator(() => this.nextJsonRpcResponse())

  remove(): void {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    void this.close()
  }

  /** Still usable as a relay chain: not removed by the user. */
  get live(): boolean {
    return !this.responses.closed
  }

  /** This chain is a parachain of `relay`: the relay's service stays up while this one is. */
  followsRelay(relay: LightChain): void {
    this.relay = relay
    relay.parachains++
  }

  /** Frees everything now: subscriptions, pending reads, the network host (once no parachain needs it). */
  async close(): Promise<void> {
    this.responses.close()
    this.conn?.close()
    this.onRemove(this)
    if (this.parachains === 0) await this.service.stop()
    const relay = this.relay
    this.relay = undefined
    if (relay && --relay.parachains === 0 && !relay.live) await relay.service.stop()
  }
}

/**
 * Creates a client on a platform's transports; it never fails here (errors surface in `addChain`), as
 * smoldot's `start`. The entries bind the platform: `start` (Node.js) and `sublight/browser`'s `start`.
 * `callRunner` makes where runtime calls over proofs run (Node.js: a worker thread with a time limit).
 */
export function createClient(transports: Transports, options: ClientOptions = {}, callRunner?: () => CallRunner): Client {
  const maxLevel = options.maxLogLevel ?? 3
  // one per client, shared by its chains, made with the first chain and closed by terminate()
  let runner: CallRunner | undefined
  const logCallback = options.logCallback ?? ((level: number, target: string, message: string) => console.log(`[${target}] ${message}`))
  const chains = new Set<LightChain>()
  let terminated = false
  return {
    async addChain(o: AddChainOptions): Promise<Chain> {
      if (terminated) throw new AlreadyDestroyedError()
      if (typeof o.chainSpec !== 'string') throw new Error('Chain specification must be a string')
      if (o.databaseContent !== undefined && typeof o.databaseContent !== 'string') throw new AddChainError('`databaseContent` must be a string')
      if (o.jsonRpcMaxPendingRequests !== undefined && !(o.jsonRpcMaxPendingRequests > 0)) throw new AddChainError('Invalid value for `jsonRpcMaxPendingRequests`')
      if (o.jsonRpcMaxSubscriptions !== undefined && !(o.jsonRpcMaxSubscriptions >= 0)) throw new AddChainError('Invalid value for `jsonRpcMaxSubscriptions`')
      let spec
      try {
        spec = parseChainSpec(o.chainSpec)
      } catch (e) {
        if (e instanceof ChainSpecError) throw new AddChainError(`Failed to decode chain specification: ${e.message}`)
        throw e
      }
      // a parachain pairs with a potential relay chain whose spec id is its `relay_chain` (unknown or removed ones are skipped)
      const relay = spec.relayChain === undefined ? undefined : (o.potentialRelayChains ?? []).find((c): c is LightChain => c instanceof LightChain && c.live && c.service.specId === spec.relayChain)
      if (spec.relayChain !== undefined && !relay) throw new AddChainError("Couldn't find relevant relay chain")
      let service: ChainService
      try {
        service = await ChainService.start({
          spec,
          database: o.databaseContent,
          log: (level, message) => level <= maxLevel && logCallback(level, spec.id, message),
          transports,
          relay: relay && { chain: relay.service, paraId: spec.paraId! },
          forbid: { tcp: options.forbidTcp, ws: options.forbidWs, nonLocalWs: options.forbidNonLocalWs, wss: options.forbidWss },
          callRunner: callRunner && (runner ??= callRunner()),
        })
      } catch (e) {
        // whatever the spec or the database holds (a bad `:code`, numbers out of range, unusable
        // addresses), the caller gets smoldot's one error class, and nothing started is left behind
        if (e instanceof ChainAccessError) throw new AddChainError(e.message)
        throw new AddChainError(`Failed to start the chain: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (terminated) {
        await service.stop()
        throw new AlreadyDestroyedError()
      }
      const chain = new LightChain(service, o, o.disableJsonRpc ? undefined : lightClientRpc(service, spec, new TransactionsService(service)), (c) => chains.delete(c))
      if (relay) chain.followsRelay(relay)
      chains.add(chain)
      return chain
    },
    async terminate(): Promise<void> {
      if (terminated) throw new AlreadyDestroyedError()
      terminated = true
      await Promise.all([...chains].map((c) => c.close()))
      await runner?.close()
    },
  }
}
