// JSON-RPC 2.0 dispatch without any transport: parse a request text (single or batch), call the
// registered method or subscription, and produce response texts; subscriptions push notifications
// through a `send` callback. Malformed input gets the standard error codes, never an exception.
// The WebSocket/HTTP server and the light client's `sendJsonRpc` both sit on top of this.

import { nextTurn } from '../platform/next-turn.ts'

export const PARSE_ERROR = -32700
export const INVALID_REQUEST = -32600
export const METHOD_NOT_FOUND = -32601
export const INVALID_PARAMS = -32602
export const INTERNAL_ERROR = -32603

/** Thrown by methods to answer with a JSON-RPC error. */
export class RpcError extends Error {
  override readonly name = 'RpcError'
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

type Id = string | number | null
export type Params = unknown[] | Record<string, unknown>

/** The connection a call arrived on: limits that the spec states per connection are kept per `connectionId`. */
export interface CallContext {
  readonly connectionId: number
  /** Ends one of this connection's subscriptions from the server side (after it emitted its last event). */
  endSubscription(id: string): void
  /**
   * True while the client is not reading what it was sent (its queue or socket buffer is backed up): a
   * subscription that can tell the client so (chainHead's `stop`) ends itself rather than pile up more.
   */
  lagging(): boolean
}
export type MethodHandler = (params: unknown[], ctx: CallContext) => unknown | Promise<unknown>
/**
 * Starts a subscription: `emit` pushes a notification; `id` is the subscription's id (random, so other
 * methods can refer to it safely); returns the teardown.
 */
export type SubscriptionHandler = (params: unknown[], emit: (result: unknown) => void, id: string, ctx: CallContext) => (() => void) | Promise<() => void>

let nextConnectionId = 1

/** A fresh unguessable subscription id. */
function subscriptionId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12))
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

export interface DispatcherLimits {
  /** Subscriptions one connection may hold (default 1024). */
  maxSubscriptions?: number
  /** Requests in one batch (default 256). */
  maxBatch?: number
  /** False on transports that cannot push notifications (HTTP): subscribing is then an error. */
  subscriptions?: boolean
  /** Whether the client lags in reading (see `CallContext.lagging`); never, when absent. */
  lagging?: () => boolean
  /**
   * Whether the client has stopped reading altogether: a notification sent then is dropped and its
   * subscription ended, so nothing grows without bound; never, when absent.
   */
  full?: () => boolean
}

/** One client's view: its subscriptions live until `close()`. */
export class Connection {
  /** Live subscriptions: their family (the unsubscribe method that may end them) and teardown. */
  private readonly subs = new Map<string, { family: string; stop: () => void }>()
  private readonly ctx: CallContext

  constructor(
    private readonly registry: Registry,
    private readonly send: (text: string) => void,
    private readonly limits: DispatcherLimits = {},
  ) {
    this.ctx = { connectionId: nextConnectionId++, endSubscription: (id) => this.endSubscription(id), lagging: () => this.limits.lagging?.() ?? false }
  }

  /**
   * Handles one request text; resolves to the response text (undefined for notifications only). The
   * caller sends the response as soon as this resolves: notifications of subscriptions this request
   * started are held until the next macrotask, so none arrives before the response carrying their id
   * (in a batch, the whole batch's response).
   */
  async handle(text: string): Promise<string | undefined> {
    const gate: Gate = { open: false, held: [] }
    try {
      return await this.parseAndRun(text, gate)
    } finally {
      nextTurn(() => {
        gate.open = true
        for (const send of gate.held.splice(0)) send()
      })
    }
  }

  private async parseAndRun(text: string, gate: Gate): Promise<string | undefined> {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return JSON.stringify(errorResponse(null, PARSE_ERROR, 'Parse error'))
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return JSON.stringify(errorResponse(null, INVALID_REQUEST, 'Empty batch'))
      if (parsed.length > (this.limits.maxBatch ?? 256)) return JSON.stringify(errorResponse(null, INVALID_REQUEST, 'Batch too large'))
      const out = (await Promise.all(parsed.map((r) => this.one(r, gate)))).filter((r) => r !== undefined)
      return out.length ? JSON.stringify(out) : undefined
    }
    const r = await this.one(parsed, gate)
    return r === undefined ? undefined : JSON.stringify(r)
  }

  private async one(req: unknown, gate: Gate): Promise<object | undefined> {
    if (typeof req !== 'object' || req === null || Array.isArray(req)) return errorResponse(null, INVALID_REQUEST, 'Invalid request')
    const r = req as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown }
    // a number id must be one JSON can carry back (`1e400` parses as Infinity)
    const id: Id = typeof r.id === 'string' || (typeof r.id === 'number' && Number.isFinite(r.id)) || r.id === null ? (r.id as Id) : null
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || (r.id !== undefined && id === null && r.id !== null)) return errorResponse(id, INVALID_REQUEST, 'Invalid request')
    const isNotification = r.id === undefined
    const params = r.params === undefined ? [] : Array.isArray(r.params) ? r.params : typeof r.params === 'object' && r.params !== null ? [r.params] : undefined
    if (params === undefined) return errorResponse(id, INVALID_PARAMS, 'params must be an array or an object')
    const result = await this.call(r.method, params, gate)
    if (isNotification) return undefined
    return 'error' in result ? { jsonrpc: '2.0', id, error: result.error } : { jsonrpc: '2.0', id, result: result.result }
  }

  private async call(method: string, params: unknown[], gate: Gate): Promise<{ result: unknown } | { error: { code: number; message: string; data?: unknown } }> {
    try {
      const m = this.registry.methods.get(method)
      if (m) return { result: (await m(params, this.ctx)) ?? null }
      const s = this.registry.subscriptions.get(method)
      if (s) {
        if (this.limits.subscriptions === false) throw new RpcError(METHOD_NOT_FOUND, `${method} is a subscription: use a WebSocket connection`)
        if (this.subs.size >= (this.limits.maxSubscriptions ?? 1024)) throw new RpcError(INTERNAL_ERROR, 'Too many subscriptions on this connection')
        const id = subscriptionId()
        let live = true
        // (a notification emitted while the subscription was live goes out, even if it ended since: its last event)
        const deliver = (result: unknown) => {
          // a client that stopped reading: the notification is dropped and the subscription ends
          if (this.limits.full?.()) return this.endSubscription(id)
          this.send(JSON.stringify({ jsonrpc: '2.0', method: s.notification, params: { subscription: id, result } }))
        }
        const teardown = await s.handler(
          params,
          (result) => {
            if (!live) return
            if (gate.open) deliver(result)
            else gate.held.push(() => deliver(result))
          },
          id,
          this.ctx,
        )
        this.subs.set(id, {
          family: s.family,
          stop: () => {
            live = false
            teardown()
          },
        })
        return { result: id }
      }
      const unsub = this.registry.unsubscribes.get(method)
      if (unsub) {
        // only the subscription's own family may end it (chain_unsubscribeNewHeads cannot end a chainHead follow)
        if (typeof params[0] !== 'string') throw new RpcError(INVALID_PARAMS, 'Invalid subscription id: a string is expected')
        const id = params[0]
        const sub = this.subs.get(id)
        const known = sub !== undefined && sub.family === unsub.family
        if (known) {
          sub.stop()
          this.subs.delete(id)
        }
        if (unsub.answer === 'bool') return { result: known }
        if (!known && unsub.answer === 'nullOrError') throw new RpcError(INVALID_PARAMS, 'Invalid subscription id')
        return { result: null }
      }
      const why = this.registry.refused.get(method)
      return { error: { code: METHOD_NOT_FOUND, message: why ? `${method}: ${why}` : `Method not found: ${method}` } }
    } catch (e) {
      if (e instanceof RpcError) return { error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) } }
      return { error: { code: INTERNAL_ERROR, message: (e as Error)?.message ?? 'Internal error' } }
    }
  }

  close(): void {
    for (const { stop } of this.subs.values()) stop()
    this.subs.clear()
  }

  /** Ends a subscription from the server side (e.g. a chainHead follow that emitted `stop`). */
  endSubscription(id: string): void {
    const sub = this.subs.get(id)
    if (!sub) return
    this.subs.delete(id)
    sub.stop()
  }
}

/** Notifications of subscriptions a request started, held until its response has gone out. */
interface Gate {
  open: boolean
  held: (() => void)[]
}

function errorResponse(id: Id, code: number, message: string) {
  return { jsonrpc: '2.0', id, error: { code, message } }
}

/**
 * What an unsubscribe method answers: legacy Substrate methods `true`/`false`; the new spec `null`, with
 * an error for an unknown id where the spec says so (`transactionWatch_v1_unwatch`) and silently where it
 * says the call has no effect (`chainHead_v1_unfollow`).
 */
export type UnsubscribeAnswer = 'bool' | 'null' | 'nullOrError'

/** The methods and subscriptions a server offers. */
export class Registry {
  readonly methods = new Map<string, MethodHandler>()
  readonly subscriptions = new Map<string, { handler: SubscriptionHandler; notification: string; family: string }>()
  readonly unsubscribes = new Map<string, { family: string; answer: UnsubscribeAnswer }>()
  /** Methods this server knows of but does not serve, with the reason (answered -32601 with it; not listed). */
  readonly refused = new Map<string, string>()

  method(name: string, handler: MethodHandler): this {
    this.methods.set(name, handler)
    return this
  }

  subscription(name: string, notification: string, unsubscribe: string, handler: SubscriptionHandler, answer: UnsubscribeAnswer = 'bool'): this {
    this.subscriptions.set(name, { handler, notification, family: unsubscribe })
    this.unsubscribes.set(unsubscribe, { family: unsubscribe, answer })
    return this
  }

  /** Another name for a registered method, subscription or unsubscribe (Substrate keeps old spellings). */
  alias(alias: string, target: string): this {
    const m = this.methods.get(target)
    const sub = this.subscriptions.get(target)
    if (m) this.methods.set(alias, m)
    else if (sub) this.subscriptions.set(alias, sub)
    else if (this.unsubscribes.has(target)) this.unsubscribes.set(alias, this.unsubscribes.get(target)!)
    else throw new Error(`alias ${alias}: no method ${target}`)
    return this
  }

  /** Methods answered with a clear error saying why they are not served here. */
  refuse(names: string[], why: string): this {
    for (const n of names) this.refused.set(n, why)
    return this
  }

  /** Every method name (for `rpc_methods`). */
  names(): string[] {
    return [...this.methods.keys(), ...this.subscriptions.keys(), ...this.unsubscribes.keys()].sort()
  }
}
