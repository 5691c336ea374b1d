// A minimal JSON-RPC client over one WebSocket, for a collator talking to its relay node: requests
// (`call`) and subscriptions (`subscribe`: the notifications of one subscription id go to one callback).
// Node only (`ws`). Errors come back as RelayRpcError; a closed socket fails every pending request.

import WebSocket from 'ws'

export class RelayRpcError extends Error {
  override readonly name = 'RelayRpcError'
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void }

export class RelayRpc {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly subscriptions = new Map<string, (result: unknown) => void>()
  /** Notifications that came before their subscription id was known to us. */
  private readonly early = new Map<string, unknown[]>()

  /** Called once when the connection is gone (closed by either side). */
  onClose: () => void = () => {}

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(String(data)))
    ws.on('error', () => {}) // a 'close' follows
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new RelayRpcError('the relay node closed the connection'))
      this.pending.clear()
      this.onClose()
    })
  }

  /** Connects to `url` (ws:// or wss://). Throws RelayRpcError when it cannot. */
  static connect(url: string): Promise<RelayRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.once('open', () => resolve(new RelayRpc(ws)))
      ws.once('error', (e) => reject(new RelayRpcError(`cannot reach the relay node at ${url}: ${e.message}`)))
    })
  }

  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new RelayRpcError('the connection to the relay node is closed'))
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  /** Subscribes with `method`; `fn` gets each notification's result. Resolves to the subscription id. */
  async subscribe(method: string, params: unknown[], fn: (result: unknown) => void): Promise<string> {
    const sub = String(await this.call(method, params))
    this.subscriptions.set(sub, fn)
    for (const r of this.early.get(sub) ?? []) fn(r)
    this.early.delete(sub)
    return sub
  }

  close(): void {
    this.ws.close()
  }

  private onMessage(text: string): void {
    let m: { id?: number; result?: unknown; error?: { message?: string }; params?: { subscription?: string | number; result?: unknown } }
    try {
      m = JSON.parse(text)
    } catch {
      return
    }
    if (typeof m.id === 'number') {
      const p = this.pending.get(m.id)
      this.pending.delete(m.id)
      if (!p) return
      if (m.error) p.reject(new RelayRpcError(m.error.message ?? 'JSON-RPC error'))
      else p.resolve(m.result)
      return
    }
    const sub = m.params?.subscription
    if (sub === undefined) return
    const fn = this.subscriptions.get(String(sub))
    if (fn) fn(m.params!.result)
    else if ((this.early.get(String(sub))?.length ?? 0) < 16) this.early.set(String(sub), [...(this.early.get(String(sub)) ?? []), m.params!.result])
  }
}
