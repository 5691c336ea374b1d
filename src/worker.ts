// sublight's worker entry (`sublight/worker`): the light client itself, run in a Web Worker for a page
// that holds the other end of a MessagePort (the page's `startFromWorker` / `start({ portToWorker })`):
//   import { run } from 'sublight/worker'
//   onmessage = (e) => run(e.data)          // the port the page sends first
// It dials WebSocket only, with the worker's own `WebSocket` (as the browser entry).
import { browserTransports } from './platform/browser.ts'
import { createClient } from './light-client/client.ts'
import { serveClient, type PortLike } from './light-client/worker-protocol.ts'

/** Serves the client to the page at the other end of `port`; resolves when the page terminates it. */
export function run(port: PortLike): Promise<void> {
  return serveClient(port, (options) => createClient(browserTransports, { ...options, forbidTcp: true }))
}
