// Node.js: the light client's runtime calls over call proofs run in a worker thread (the executor's
// `IsolatedExecutor`, one per client), off the event loop and stopped after a time limit — a runtime call
// never holds up JSON-RPC answers, and a runaway one is an error, not a hung client.
import { IsolatedExecutor } from '../executor/isolated.ts'
import type { CallRunner } from '../light-client/runtime-service.ts'

/** A call over a proof that runs longer than this is stopped (ExecutorError 'Timeout'). */
export const LIGHT_CALL_TIMEOUT_MS = 30_000

export function nodeCallRunner(timeoutMs = LIGHT_CALL_TIMEOUT_MS): CallRunner {
  const executor = new IsolatedExecutor(timeoutMs)
  return {
    prepare(code) {
      executor.call({ code, method: '', args: new Uint8Array(), prepareOnly: true }).catch(() => {})
    },
    async call({ code, method, args, stateRoot, nodes, heapPages }) {
      return (await executor.call({ code, method, args, proof: { stateRoot, nodes }, heapPages })).output
    },
    close: () => executor.close(),
  }
}
