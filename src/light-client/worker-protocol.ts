// A light client in a worker, driven from the page: the messages both sides exchange over one
// `MessagePort`, the worker side (`serveClient`, used by `sublight/worker`'s `run`) and the page side
// (`remoteClient`, behind `start({ portToWorker })` and `startFromWorker`). The page side is a full
// `Client`: same errors, same queue limits, same iterator; only JSON-RPC text, chain specs and logs
// cross the port. Nothing here depends on the platform (a browser worker or Node's worker_threads).

import {
  AddChainError,
  AlreadyDestroyedError,
  CrashError,
  JsonRpcDisabledError,
  QueueFullError,
  ResponseQueue,
  type AddChainOptions,
  type Chain,
  type Client,
  type ClientOptions,
  type PortLike,
} from './api.ts'
import type { LightChain } from './client.ts'

export type { PortLike }


/** The client options that cross to the worker (the log callback stays on the page). */
export type WorkerClientOptions = Omit<ClientOptions, 'logCallback' | 'portToWorker'>

type ToWorker =
  | { kind: 'start'; options: WorkerClientOptions }
  | { kind: 'addChain'; req: number; chainSpec: unknown; databaseContent?: unknown; relays: number[]; disableJsonRpc?: boolean; jsonRpcMaxPendingRequests?: number; jsonRpcMaxSubscriptions?: number }
  | { kind: 'rpc'; chain: number; text: string }
  /** The app read `count` more responses of the chain (flow control: see RESPONSE_WINDOW). */
  | { kind: 'read'; chain: number; count: number }
  | { kind: 'remove'; chain: number }
  | { kind: 'terminate'; req: number }

type ToPage =
  | { kind: 'added'; req: number; chain: number }
  | { kind: 'failed'; req: number; name: string; message: string }
  | { kind: 'response'; chain: number; text: string }
  | { kind: 'settled'; chain: number }
  | { kind: 'terminated'; req: number }
  | { kind: 'log'; level: number; target: string; message: string }

/**
 * Responses the worker sends ahead of what the app has read: past it the worker holds them in its own
 * queue, so that an app that stops reading is seen there (its follows get `stop`) and the page does not
 * buffer without bound. The page acknowledges reads READ_ACK at a time.
 */
const RESPONSE_WINDOW = 256
const READ_ACK = 64

/** An error as it crossed the port, made again with smoldot's class for its name. */
function errorFrom(name: string, message: string): Error {
  if (name === 'AddChainError') return new AddChainError(message)
  if (name === 'AlreadyDestroyedError') return new AlreadyDestroyedError()
  if (name === 'JsonRpcDisabledError') return new JsonRpcDisabledError()
  if (name === 'CrashError') return new CrashError(message)
  return new Error(message)
}

/**
 * Worker side: waits for the page's `start` message, creates the client with `create`, then serves
 * the page until it terminates the client; resolves then. (smoldot types its `run` as
 * `Promise<Promise<void>>`, but a promise resolved with a promise adopts it: both settle at shutdown.)
 */
export function serveClient(port: PortLike, create: (options: ClientOptions) => Client): Promise<void> {
  let client: Client | undefined
  const chains = new Map<number, Chain>()
  let nextChain = 1
  const send = (m: ToPage) => port.postMessage(m)
  let finished!: () => void
  const done = new Promise<void>((r) => (finished = r))

  /** Per chain: responses sent and not yet acknowledged as read, and a pump waiting for room. */
  const flow = new Map<number, { unread: number; wake?: () => void }>()
  const pump = async (id: number, chain: Chain) => {
    const f = { unread: 0 } as { unread: number; wake?: () => void }
    flow.set(id, f)
    for await (const text of chain.jsonRpcResponses) {
      send({ kind: 'response', chain: id, text })
      if (++f.unread >= RESPONSE_WINDOW) await new Promise<void>((r) => (f.wake = r))
    }
    flow.delete(id)
  }
  const onMessage = async (m: ToWorker) => {
    if (m.kind === 'start') {
      if (client) return
      client = create({ ...m.options, logCallback: (level, target, message) => send({ kind: 'log', level, target, message }) })
      return
    }
    if (!client) return
    if (m.kind === 'addChain') {
      try {
        const chain = await client.addChain({
          chainSpec: m.chainSpec as string,
          databaseContent: m.databaseContent as string | undefined,
          potentialRelayChains: m.relays.flatMap((r) => chains.get(r) ?? []),
          disableJsonRpc: m.disableJsonRpc,
          jsonRpcMaxPendingRequests: m.jsonRpcMaxPendingRequests,
          jsonRpcMaxSubscriptions: m.jsonRpcMaxSubscriptions,
        })
        const id = nextChain++
        chains.set(id, chain)
        if (!m.disableJsonRpc) void pump(id, chain)
        send({ kind: 'added', req: m.req, chain: id })
      } catch (e) {
        const err = e as Error
        send({ kind: 'failed', req: m.req, name: err.name, message: err.message })
      }
    } else if (m.kind === 'rpc') {
      const chain = chains.get(m.chain)
      // an in-thread chain of the client this worker made (the only kind it adds)
      if (typeof (chain as Partial<LightChain>).request !== 'function') return
      // the page checked the queue limit; settle every request so its count stays exact
      (chain as LightChain).request(m.text).then(
        () => send({ kind: 'settled', chain: m.chain }),
        () => send({ kind: 'settled', chain: m.chain }),
      )
    } else if (m.kind === 'read') {
      const f = flow.get(m.chain)
      if (!f || typeof m.count !== 'number') return
      f.unread = Math.max(0, f.unread - m.count)
      if (f.unread < RESPONSE_WINDOW && f.wake) {
        const wake = f.wake
        f.wake = undefined
        wake()
      }
    } else if (m.kind === 'remove') {
      const chain = chains.get(m.chain)
      chains.delete(m.chain)
      const f = flow.get(m.chain)
      f?.wake?.()
      try {
        chain?.remove()
      } catch {
        // already removed
      }
    } else if (m.kind === 'terminate') {
      chains.clear()
      await client.terminate().catch(() => {})
      send({ kind: 'terminated', req: m.req })
      port.close?.()
      finished()
    }
  }
  port.addEventListener('message', (e) => {
    const m = e.data as ToWorker
    if (typeof m !== 'object' || m === null || typeof m.kind !== 'string') return
    onMessage(m).catch((err: Error) => send({ kind: 'log', level: 1, target: 'sublight', message: `worker: ${err.message}` }))
  })
  port.start?.()
  return done
}

class RemoteChain implements Chain {
  readonly responses = new ResponseQueue()
  pending = 0
  private reads = 0

  constructor(
    readonly id: number,
    private readonly post: (m: ToWorker) => void,
    private readonly opts: AddChainOptions,
    private readonly onRemove: (id: number) => void,
  ) {}

  sendJsonRpc(rpc: string): void {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    if (this.opts.disableJsonRpc) throw new JsonRpcDisabledError()
    if (this.pending >= (this.opts.jsonRpcMaxPendingRequests ?? Infinity)) throw new QueueFullError()
    this.pending++
    this.post({ kind: 'rpc', chain: this.id, text: rpc })
  }

  nextJsonRpcResponse(): Promise<string> {
    if (this.responses.closed) return Promise.reject(new AlreadyDestroyedError())
    if (this.opts.disableJsonRpc) return Promise.reject(new JsonRpcDisabledError())
    return this.responses.next().then((text) => {
      // tell the worker the app is reading, so it sends more
      if (++this.reads >= READ_ACK) {
        this.post({ kind: 'read', chain: this.id, count: this.reads })
        this.reads = 0
      }
      return text
    })
  }

  readonly jsonRpcResponses: AsyncIterableIterator<string> = this.responses.iterator(() => this.nextJsonRpcResponse())

  remove(): void {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    this.responses.close()
    this.onRemove(this.id)
    this.post({ kind: 'remove', chain: this.id })
  }
}

/**
 * Page side: a `Client` whose chains live in the worker at the other end of `port` (which runs
 * `sublight/worker`'s `run`). Logs come back to `options.logCallback` (default: the console).
 */
export function remoteClient(port: PortLike, options: ClientOptions = {}): Client {
  const { logCallback, portToWorker: _port, ...workerOptions } = options
  const log = logCallback ?? ((level: number, target: string, message: string) => console.log(`[${target}] ${message}`))
  const post = (m: ToWorker) => port.postMessage(m)
  const requests = new Map<number, { resolve: (chain: number) => void; reject: (e: Error) => void }>()
  const chains = new Map<number, RemoteChain>()
  let nextReq = 1
  let terminated = false

  port.addEventListener('message', (e) => {
    const m = e.data as ToPage
    if (typeof m !== 'object' || m === null) return
    if (m.kind === 'added' || m.kind === 'terminated') requests.get(m.req)?.resolve(m.kind === 'added' ? m.chain : 0)
    else if (m.kind === 'failed') requests.get(m.req)?.reject(errorFrom(m.name, m.message))
    else if (m.kind === 'response') chains.get(m.chain)?.responses.push(m.text)
    else if (m.kind === 'settled') {
      const c = chains.get(m.chain)
      if (c) c.pending--
    } else if (m.kind === 'log') log(m.level, m.target, m.message)
    if (m.kind === 'added' || m.kind === 'failed' || m.kind === 'terminated') requests.delete(m.req)
  })
  port.start?.()
  post({ kind: 'start', options: workerOptions })

  const ask = (make: (req: number) => ToWorker) =>
    new Promise<number>((resolve, reject) => {
      const req = nextReq++
      requests.set(req, { resolve, reject })
      post(make(req))
    })

  return {
    async addChain(o: AddChainOptions): Promise<Chain> {
      if (terminated) throw new AlreadyDestroyedError()
      if (typeof o.chainSpec !== 'string') throw new Error('Chain specification must be a string')
      // chains of this client that are still there (smoldot skips unknown or removed ones silently)
      const relays = (o.potentialRelayChains ?? []).flatMap((c) => (c instanceof RemoteChain && chains.get(c.id) === c ? [c.id] : []))
      const id = await ask((req) => ({
        kind: 'addChain',
        req,
        chainSpec: o.chainSpec,
        databaseContent: o.databaseContent,
        relays,
        disableJsonRpc: o.disableJsonRpc,
        jsonRpcMaxPendingRequests: o.jsonRpcMaxPendingRequests,
        jsonRpcMaxSubscriptions: o.jsonRpcMaxSubscriptions,
      }))
      if (terminated) throw new AlreadyDestroyedError()
      const chain = new RemoteChain(id, post, o, (c) => chains.delete(c))
      chains.set(id, chain)
      return chain
    },
    async terminate(): Promise<void> {
      if (terminated) throw new AlreadyDestroyedError()
      terminated = true
      for (const c of chains.values()) c.responses.close()
      chains.clear()
      await ask((req) => ({ kind: 'terminate', req }))
      port.close?.()
    },
  }
}
