// The JSON-RPC transport: WebSocket (ws) and HTTP POST on one port, 127.0.0.1 by default, with a
// request-size limit; each WebSocket is one dispatcher Connection (subscriptions die with it). Browser
// pages are let in by origin, like Substrate's `--rpc-cors`: requests without an Origin header (not from
// a browser) always; from a browser, the allowed origins only — their CORS preflight (`OPTIONS`) is
// answered and responses carry `Access-Control-Allow-Origin`; other origins get 403 (HTTP and WebSocket).

import { createServer, type Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { Connection, Registry, type DispatcherLimits } from './dispatcher.ts'

export interface RpcServerOptions extends DispatcherLimits {
  host?: string
  port?: number
  /** Largest request accepted, in bytes (default 10 MiB). */
  maxRequestBytes?: number
  /**
   * Browser origins allowed (`Origin` header): `'all'`, or a list where a pattern may end in `:*` (any
   * port). Default: Substrate's — localhost and 127.0.0.1 over http and https, and https://polkadot.js.org.
   */
  cors?: 'all' | string[]
  /** Time an HTTP request may take to arrive whole (headers and body), in ms (default 10 s). */
  requestTimeoutMs?: number
  /**
   * Answers a WebSocket client may leave unread (bytes buffered for it) before it is disconnected
   * (default 64 MiB): a client that never reads must not make the server buffer without limit.
   */
  maxBufferedBytes?: number
}

/** Substrate's default `--rpc-cors` for a node. */
export const DEFAULT_CORS = ['http://localhost:*', 'http://127.0.0.1:*', 'https://localhost:*', 'https://127.0.0.1:*', 'https://polkadot.js.org']

/** Whether a request with this Origin header may be served (no header: not a browser, always). */
export function originAllowed(origin: string | undefined, cors: 'all' | string[] = DEFAULT_CORS): boolean {
  if (origin === undefined || cors === 'all') return true
  return cors.some((p) => (p.endsWith(':*') ? origin === p.slice(0, -2) || (origin.startsWith(p.slice(0, -1)) && /^\d+$/.test(origin.slice(p.length - 1))) : origin === p))
}

/** The server could not start (port taken, address unusable): one line for the user. */
export class RpcServerError extends Error {
  override readonly name = 'RpcServerError'
}

export class RpcServer {
  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(registry: Registry, opts: RpcServerOptions = {}): Promise<RpcServer> {
    const maxBytes = opts.maxRequestBytes ?? 10 * 1024 * 1024
    const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024
    const timeout = opts.requestTimeoutMs ?? 10_000
    // a request whose body never arrives is dropped after `timeout` (Node's default keeps it 300 s)
    const http = createServer({ requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(1_000, timeout) }, (req, res) => {
      const origin = req.headers.origin
      if (!originAllowed(origin, opts.cors)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end(`origin ${origin} is not allowed (see --rpc-cors)`)
        return
      }
      const corsHeaders: Record<string, string> = origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...corsHeaders, 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '3600' }).end()
        return
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST, OPTIONS' }).end()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size > maxBytes) {
          res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Request too large' } }))
          req.destroy()
          return
        }
        chunks.push(c)
      })
      req.on('end', () => {
        if (res.writableEnded) return
        // plain HTTP has no way to deliver notifications: subscriptions are refused there
        const conn = new Connection(registry, () => {}, { ...opts, subscriptions: false })
        void conn.handle(Buffer.concat(chunks).toString('utf8')).then((out) => {
          conn.close()
          res.writeHead(200, { 'content-type': 'application/json', ...corsHeaders }).end(out ?? '')
        })
      })
    })
    const wss = new WebSocketServer({ server: http, maxPayload: maxBytes, verifyClient: (info: { origin?: string; req: { headers: { origin?: string } } }) => originAllowed(info.req.headers.origin, opts.cors) })
    // the WebSocket server re-emits the HTTP server's errors; listen failures are reported below
    wss.on('error', () => {})
    wss.on('connection', (ws) => {
      // what a client has not read stays buffered here: past the limit, it is disconnected
      const send = (text: string) => {
        if (ws.readyState !== ws.OPEN) return
        if (ws.bufferedAmount > maxBuffered) return void ws.terminate()
        ws.send(text)
      }
      // a client this far behind in reading gets its follows stopped (chainHead's `stop`), before it is cut off
      const conn = new Connection(registry, send, { ...opts, lagging: () => ws.bufferedAmount > maxBuffered / 16 })
      ws.on('message', (data) => {
        void conn.handle(data.toString()).then((out) => {
          if (out !== undefined) send(out)
        })
      })
      ws.on('close', () => conn.close())
      ws.on('error', () => conn.close())
    })
    const host = opts.host ?? '127.0.0.1'
    const port = opts.port ?? 9944
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'is already in use' : e.code === 'EACCES' ? 'needs privileges we do not have' : e.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `cannot be used (${e.message})`
        reject(new RpcServerError(`JSON-RPC address ${host}:${port} ${why}`))
      })
      http.listen(port, host, () => resolve())
    })
    const addr = http.address()
    return new RpcServer(http, wss, typeof addr === 'object' && addr ? addr.port : 0)
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    await new Promise<void>((r) => this.wss.close(() => r()))
    await new Promise<void>((r) => this.http.close(() => r()))
  }
}
