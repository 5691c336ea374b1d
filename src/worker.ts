// sublight's worker entry (`sublight/worker`): the light client itself, run in a Web Worker for a page
// that holds the other end of a MessagePort (the page's `startFromWorker` / `start({ portToWorker })`).
// The worker script is one line:
//   import 'sublight/worker'        // serves the first MessagePort the worker receives
// or, to hand it the port yourself, `import { run } from 'sublight/worker'` and `run(port)`.
// It dials WebSocket only, with the worker's own `WebSocket` (as the browser entry).
import { firstPort } from './platform/worker-port.ts'
import { browserTransports } from './platform/browser.ts'
import { createClient } from './light-client/client.ts'
import { serveClient, type PortLike } from './light-client/worker-protocol.ts'

const served = new WeakMap<PortLike, Promise<void>>()

/** Serves the client to the page at the other end of `port`; resolves when the page terminates it. Serving a port twice returns the first run. */
export function run(port: PortLike): Promise<void> {
  let done = served.get(port)
  if (!done) {
    done = serveClient(port, (options) => createClient(browserTransports, { ...options, forbidTcp: true }))
    served.set(port, done)
  }
  return done
}

if (firstPort) void firstPort.then(run)
