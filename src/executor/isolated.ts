// Runtime calls in a worker thread with a wall-clock limit: a runaway runtime (infinite loop) is
// terminated and reported as ExecutorError 'Timeout' while the calling process stays responsive.
// This is the executor's only service edge (threads and timers); the core executor stays synchronous.

import { Worker } from 'node:worker_threads'
import type { Entry } from '../trie/index.ts'
import { ExecutorError, MissingStorageError, type ExecutorErrorCode } from './errors.ts'
import type { RuntimeLog } from './host-api.ts'
import type { StorageChanges } from './storage.ts'

export interface IsolatedRequest {
  code: Uint8Array
  method: string
  args: Uint8Array
  /** Whole state in memory … */
  top?: Entry[]
  children?: [Uint8Array, Entry[]][]
  /** … or a proof against a state root. */
  proof?: { stateRoot: Uint8Array; nodes: Uint8Array[] }
  heapPages?: number
  maxLogLevel?: number
  allowUnresolvedImports?: boolean
}

export interface IsolatedResult {
  output: Uint8Array
  changes: StorageChanges
  offchainIndex: [Uint8Array, Uint8Array | null][]
  logs: RuntimeLog[]
}

type Reply =
  | ({ ok: true } & IsolatedResult)
  | { ok: false; kind: 'executor'; code: ExecutorErrorCode; message: string; details: { panicMessage?: string; missing?: string[] } }
  | { ok: false; kind: 'missing'; key: Uint8Array; childKey: Uint8Array | undefined; operation: 'get' | 'nextKey' }
  | { ok: false; kind: 'other'; message: string }

/** Runs one call in a fresh worker; rejects with ExecutorError('Timeout') after `timeoutMs`. */
export function callIsolated(req: IsolatedRequest, timeoutMs = 30_000): Promise<IsolatedResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url))
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      fn()
    }
    const timer = setTimeout(() => finish(() => reject(new ExecutorError('Timeout', `runtime call ${req.method} exceeded ${timeoutMs} ms and was stopped`))), timeoutMs)
    worker.on('message', (m: Reply) =>
      finish(() => {
        if (m.ok) resolve({ output: m.output, changes: m.changes, offchainIndex: m.offchainIndex, logs: m.logs })
        else if (m.kind === 'executor') reject(new ExecutorError(m.code, m.message, m.details))
        else if (m.kind === 'missing') reject(new MissingStorageError(m.key, m.childKey, m.operation))
        else reject(new Error(m.message))
      }),
    )
    worker.on('error', (e) => finish(() => reject(new ExecutorError('Trap', `runtime worker failed: ${e.message}`))))
    worker.on('exit', (code) => finish(() => reject(new ExecutorError('Trap', `runtime worker exited (${code})`))))
    worker.postMessage(req)
  })
}
