// smoldot's public API as types, errors and the response queue: everything an app (or the page side of a
// worker client) touches before a chain exists, with nothing heavy behind it — no network, no executor —
// so `import('sublight')` stays cheap; the client itself (`client.ts`) is loaded on the first `addChain`
// (`lazyClient`). See ../shared/smoldot-api.md.

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

/**
 * A `Client` whose implementation is loaded on first use (the first `addChain`): the network stack,
 * the executor and the chain machinery are imported then, not when the app imports sublight. Behaves
 * as the loaded client; `terminate()` before any chain frees nothing because nothing was made.
 */
export function lazyClient(load: () => Promise<Client>): Client {
  let loaded: Promise<Client> | undefined
  let terminated = false
  return {
    async addChain(o: AddChainOptions): Promise<Chain> {
      if (terminated) throw new AlreadyDestroyedError()
      const client = await (loaded ??= load())
      if (terminated) throw new AlreadyDestroyedError()
      return client.addChain(o)
    },
    async terminate(): Promise<void> {
      if (terminated) throw new AlreadyDestroyedError()
      terminated = true
      if (loaded) await (await loaded).terminate()
    },
  }
}
