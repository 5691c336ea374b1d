// Public surface of the light client on Node.js: smoldot's API (start, Client, Chain, the error classes)
// over TCP and WebSocket, in this thread or (`portToWorker`) in a worker_threads worker running
// `sublight/worker`. Browsers use `src/browser.ts` instead. Importing this loads only the API: the
// client (network, executor, chain machinery) is loaded on the first `addChain`.
import { lazyClient, type Client, type ClientOptions } from './api.ts'
import { remoteClient } from './worker-protocol.ts'

export { AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, CrashError, type Client, type Chain, type ClientOptions, type AddChainOptions } from './api.ts'
export type { PortLike } from './worker-protocol.ts'

/**
 * Creates a light client (TCP and WebSocket); it never fails here, errors surface in `addChain` — as
 * smoldot's `start`. Like smoldot's, it keeps the process alive until `terminate()`.
 */
export function start(options: ClientOptions = {}): Client {
  if (options.portToWorker) return remoteClient(options.portToWorker, options)
  const client = lazyClient(async () => {
    const [{ createClient }, { nodeTransports }, { nodeCallRunner }] = await Promise.all([import('./client.ts'), import('../platform/node.ts'), import('../platform/node-call-runner.ts')])
    return createClient(nodeTransports, options, () => nodeCallRunner())
  })
  // As smoldot's, the client holds the process from start() to terminate(), with chains or without: an app
  // waiting only on its answers (or on a peer to come back) must not see its process exit under it. The
  // chains' own timers never hold it (unref'd, so that terminate() leaves nothing behind); this one does.
  const keepAlive = setInterval(() => {}, 2 ** 30)
  return {
    addChain: (o) => client.addChain(o),
    terminate: () => {
      clearInterval(keepAlive)
      return client.terminate()
    },
  }
}
