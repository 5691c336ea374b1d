// Runtime calls in a worker thread with a wall-clock limit: a runaway runtime (infinite loop) is
// terminated and reported as ExecutorError 'Timeout' while the calling process stays responsive.
// This is the executor's only service edge (threads and timers); the core executor stays synchronous.

import { Worker } from 'node:worker_threads'
import type { Entry } from '../trie/index.ts'
import { ExecutorError, MissingStorageError, type ExecutorErrorCode } from './errors.ts'
import type { RuntimeLog } from './host-api.ts'
import type { StorageAccessLog, StorageChanges } from './storage.ts'

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
  /** Record every key the call reads (to build a call proof), returned even when the call fails. */
  record?: boolean
  /** Only compile `code` (cached by hash in the worker) ahead of its first call: the output is empty. */
  prepareOnly?: boolean
}

export interface IsolatedResult {
  output: Uint8Array
  changes: StorageChanges
  offchainIndex: [Uint8Array, Uint8Array | null][]
  logs: RuntimeLog[]
  accessLog?: StorageAccessLog
}

type Reply = { id?: number; accessLog?: StorageAccessLog } & (
  | ({ ok: true } & IsolatedResult)
  | { ok: false; kind: 'executor'; code: ExecutorErrorCode; message: string; details: { panicMessage?: string; missing?: string[] } }
  | { ok: false; kind: 'missing'; key: Uint8Array; childKey: Uint8Array | undefined; operation: 'get' | 'nextKey' }
  | { ok: false; kind: 'other'; message: string }
)

/**
 * The worker's entry: the compiled `worker-entry.js` next to this module in the package, or, when running
 * from TypeScript sources (tests, development), a bootstrap that registers tsx first.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-bootstrap.mjs' : './worker-entry.js', import.meta.url)

/** Runs one call in a fresh worker; rejects with ExecutorError('Timeout') after `timeoutMs`. */
export function callIsolated(req: IsolatedRequest, timeoutMs = 30_000): Promise<IsolatedResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY)
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

/**
 * One long-lived worker for a stream of calls (a node's call proofs for peers): calls run one at a time
 * in arrival order, each with a wall-clock limit; a call over its limit has the worker terminated (and a
 * fresh one started for the next call). The worker never keeps the process alive.
 */
export class IsolatedExecutor {
  private worker: Worker | undefined
  private nextId = 1
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(private readonly timeoutMs = 10_000) {}

  private spawn(): Worker {
    const w = new Worker(WORKER_ENTRY)
    w.unref()
    return w
  }

  /** Runs `req` after the calls before it (limit: `timeoutMs`, else the executor's); the result carries the access log when `record` is set. */
  call(req: IsolatedRequest, timeoutMs = this.timeoutMs): Promise<IsolatedResult> {
    const run = () => this.run(req, timeoutMs)
    const p = this.queue.then(run, run)
    this.queue = p.catch(() => {})
    return p
  }

  private run(req: IsolatedRequest, timeoutMs: number): Promise<IsolatedResult> {
    if (this.closed) return Promise.reject(new ExecutorError('Trap', 'the isolated executor is closed'))
    const worker = (this.worker ??= this.spawn())
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
      }
      const drop = () => {
        if (this.worker === worker) this.worker = undefined
        void worker.terminate()
      }
      const timer = setTimeout(() => {
        done()
        drop()
        reject(new ExecutorError('Timeout', `runtime call ${req.method} exceeded ${timeoutMs} ms and was stopped`))
      }, timeoutMs)
      const onMessage = (m: Reply) => {
        if (m.id !== id) return
        done()
        if (m.ok) resolve({ output: m.output, changes: m.changes, offchainIndex: m.offchainIndex, logs: m.logs, accessLog: m.accessLog })
        else if (m.kind === 'executor') reject(Object.assign(new ExecutorError(m.code, m.message, m.details), { accessLog: m.accessLog }))
        else if (m.kind === 'missing') reject(new MissingStorageError(m.key, m.childKey, m.operation))
        else reject(new Error(m.message))
      }
      const onError = (e: Error) => {
        done()
        drop()
        reject(new ExecutorError('Trap', `runtime worker failed: ${e.message}`))
      }
      const onExit = (code: number) => {
        done()
        if (this.worker === worker) this.worker = undefined
        reject(new ExecutorError('Trap', `runtime worker exited (${code})`))
      }
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      worker.postMessage({ ...req, id })
    })
  }

  /**
   * The keys a call reads (for a call proof): a call that fails inside the runtime is still proven (the
   * verifier re-executes and sees the same failure), so its reads count too; a timeout rejects.
   */
  async recordReads(req: IsolatedRequest, timeoutMs = this.timeoutMs): Promise<StorageAccessLog> {
    try {
      return (await this.call({ ...req, record: true }, timeoutMs)).accessLog!
    } catch (e) {
      const log = (e as { accessLog?: StorageAccessLog }).accessLog
      if (e instanceof ExecutorError && e.code !== 'Timeout' && log) return log
      throw e
    }
  }

  /** Stops the worker; later calls are refused. */
  async close(): Promise<void> {
    this.closed = true
    const w = this.worker
    this.worker = undefined
    if (w) await w.terminate()
  }
}
