// Public surface of the light client on Node.js: smoldot's API (start, Client, Chain, the error classes)
// over TCP and WebSocket, in this thread or (`portToWorker`) in a worker_threads worker running
// `sublight/worker`. Browsers use `src/browser.ts` instead.
import { nodeTransports } from '../platform/node.ts'
import { nodeCallRunner } from '../platform/node-call-runner.ts'
import { createClient, type Client, type ClientOptions } from './client.ts'
import { remoteClient } from './worker-protocol.ts'

export { AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, CrashError, type Client, type Chain, type ClientOptions, type AddChainOptions } from './client.ts'
export type { PortLike } from './worker-protocol.ts'

/** Creates a light client (TCP and WebSocket); it never fails here, errors surface in `addChain` — as smoldot's `start`. */
export function start(options: ClientOptions = {}): Client {
  return options.portToWorker ? remoteClient(options.portToWorker, options) : createClient(nodeTransports, options, () => nodeCallRunner())
}
