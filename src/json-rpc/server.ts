// The JSON-RPC transport: WebSocket (ws) and HTTP POST on one port, 127.0.0.1 by default, with a
// request-size limit; each WebSocket is one dispatcher Connection (subscriptions die with it).

import { createServer, type Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { Connection, Registry, type DispatcherLimits } from './dispatcher.ts'

export interface RpcServerOptions extends DispatcherLimits {
  host?: string
  port?: number
  /** Largest request accepted, in bytes (default 10 MiB). */
  maxRequestBytes?: number
}

export class RpcServer {
  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(registry: Registry, opts: RpcServerOptions = {}): Promise<RpcServer> {
    const maxBytes = opts.maxRequestBytes ?? 10 * 1024 * 1024
    const http = createServer((req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end()
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
        const conn = new Connection(registry, () => {}, opts)
        void conn.handle(Buffer.concat(chunks).toString('utf8')).then((out) => {
          conn.close()
          res.writeHead(200, { 'content-type': 'application/json' }).end(out ?? '')
        })
      })
    })
    const wss = new WebSocketServer({ server: http, maxPayload: maxBytes })
    wss.on('connection', (ws) => {
      const conn = new Connection(registry, (text) => ws.readyState === ws.OPEN && ws.send(text), opts)
      ws.on('message', (data) => {
        void conn.handle(data.toString()).then((out) => {
          if (out !== undefined && ws.readyState === ws.OPEN) ws.send(out)
        })
      })
      ws.on('close', () => conn.close())
      ws.on('error', () => conn.close())
    })
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(opts.port ?? 9944, opts.host ?? '127.0.0.1', () => resolve())
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
