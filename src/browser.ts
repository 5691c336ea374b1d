// sublight in a browser (`sublight/browser`): smoldot's API over WebSocket (TCP does not exist in a
// page; WebRTC is not built yet), in the page itself or in a Web Worker: `startFromWorker(worker)`
// where the worker's script is `import 'sublight/worker'`.
// Nothing in this graph imports Node built-ins, Node globals or native code.
import { browserTransports } from './platform/browser.ts'
import { createClient } from './light-client/client.ts'
import type { Client, ClientOptions } from './light-client/api.ts'
import { remoteClient } from './light-client/worker-protocol.ts'

export { AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, CrashError, type Client, type Chain, type ClientOptions, type AddChainOptions } from './light-client/api.ts'
export type { PortLike } from './light-client/worker-protocol.ts'

/**
 * Creates a light client in this page (or, with `portToWorker`, in that worker); errors surface in
 * `addChain`. (Imported statically, unlike the Node entry's lazy client: a page's bundle holds the client
 * either way, and the hashers' top-level await does not survive a bundler's lazy module wrappers.)
 */
export function start(options: ClientOptions = {}): Client {
  return options.portToWorker ? remoteClient(options.portToWorker, { ...options, forbidTcp: true }) : createClient(browserTransports, { ...options, forbidTcp: true })
}

/**
 * Runs the client in `worker` (a Web Worker whose script imports `sublight/worker`); the page only
 * relays JSON-RPC. Same options as `start`.
 */
export function startFromWorker(worker: Worker, options: Omit<ClientOptions, 'portToWorker'> = {}): Client {
  const channel = new MessageChannel()
  worker.postMessage(channel.port2, [channel.port2])
  return start({ ...options, portToWorker: channel.port1 })
}
