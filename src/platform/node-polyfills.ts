// The one place Node 20 gaps are filled for js-libp2p 3.x: `Promise.withResolvers` and a global
// `WebSocket` (from `ws`, made never to throw an unhandled 'error'). Import this module before anything
// that loads libp2p.
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
/**
 * `ws`'s WebSocket is also a Node EventEmitter: an 'error' with no `on('error')` listener is thrown and
 * ends the process. js-libp2p listens through `addEventListener` and removes its listeners when a dial
 * is aborted (e.g. on stop), after which a late ECONNREFUSED would crash us. Each socket therefore
 * keeps a no-op 'error' listener; errors still reach every listener js-libp2p registers.
 */
class BrowserLikeWebSocket extends WsWebSocket {
  constructor(...args: ConstructorParameters<typeof WsWebSocket>) {
    super(...args)
    this.on('error', () => {})
  }
}

const g = globalThis as { WebSocket?: unknown }
if (typeof g.WebSocket === 'undefined') g.WebSocket = BrowserLikeWebSocket
