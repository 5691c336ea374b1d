// The one place Node 20 gaps are filled for js-libp2p 3.x: `Promise.withResolvers` and a global
// `WebSocket` (from `ws`). Import this module before anything that loads libp2p.
import { WebSocket as WsWebSocket } from 'ws'

const P = Promise as unknown as { withResolvers?: unknown }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T | PromiseLike<T>) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
const g = globalThis as { WebSocket?: unknown }
if (typeof g.WebSocket === 'undefined') g.WebSocket = WsWebSocket
