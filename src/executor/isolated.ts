// Runtime calls in a worker thread with a wall-clock limit: a runaway runtime (infinite loop) is
// terminated and reported as ExecutorError 'Timeout' while the calling process stays responsive.
// This is the executor's only service edge (threads and timers); the core executor stays synchronous.

import { Worker } from 'node:worker_threads'
import type { Entry } from '../trie/index.ts'
import { ExecutorError, MissingStorageError, type ExecutorErrorCode } from './errors.ts'
import type { RuntimeLog } from './host-api.ts'
import type { MemoryStorage, StorageAccessLog, StorageChanges } from './storage.ts'

/** Changes above which a state is sent whole rather than derived (it is then probably not a child of the last one). */
const MAX_SHIPPED_CHANGES = 4096

/** States a long-lived worker keeps, so calls at the same or the next block send their changes only. */
const WORKER_STATES = 8

/**
 * How a call names its state to a long-lived worker: one it holds (by id), one derived from a state it
 * holds (the changes only: a block's state against its parent's), or whole; `drop` are ids it may forget.
 */
export type WorkerStateRef = { id: number; drop: number[] } & (
  | { kind: 'held' }
  | { kind: 'derived'; base: number; changes: StorageChanges }
  | { kind: 'whole'; top: Entry[]; children: [Uint8Array, Entry[]][] }
)

export interface IsolatedRequest {
  code: Uint8Array
  method: string
  args: Uint8Array
  /** Whole state in memory … */
  top?: Entry[]
  children?: [Uint8Array, Entry[]][]
  /** … or (IsolatedExecutor only) a state in memory: sent by id, as changes or whole (see WorkerStateRef) … */
  storage?: MemoryStorage
  /** (what `storage` becomes on the way to the worker) */
  state?: WorkerStateRef
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

/** A request as posted to the worker: without `code` when it is the code of the worker's previous call. */
export type WorkerRequest = Omit<IsolatedRequest, 'code' | 'storage'> & { code?: Uint8Array; id?: number }

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

/** Options a worker needs from its parent to load our modules (each followed by a value, or `=value`). */
const LOADER_OPTIONS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'])
/** Value-less options a worker accepts and should keep. */
const WORKER_FLAGS = new Set(['--enable-source-maps', '--no-warnings', '--no-deprecation', '--trace-warnings', '--trace-uncaught'])

/**
 * Node options for our workers: of the parent's, those that load modules (`--import tsx`, a preloaded
 * probe), a few harmless flags and `--(no-)experimental-*`. Everything else is left out: `new Worker`
 * throws on V8 and process options (`--max-old-space-size`, `--optimize-for-size`, `--stack-size`,
 * `--title`…; V8's apply to every isolate anyway) and on `--input-type`, which only applies to a main
 * script given as a string. A process started as `node --max-old-space-size=8192 app.js` or `node
 * --input-type=module -e …` could otherwise run no runtime call off-thread.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]
    const name = a.split('=')[0]
    const separateValue = !a.includes('=') && i + 1 < execArgv.length && !execArgv[i + 1].startsWith('-')
    if (LOADER_OPTIONS.has(name)) {
      out.push(a)
      if (separateValue) out.push(execArgv[++i])
    } else if (WORKER_FLAGS.has(name) || /^--(no-)?experimental-/.test(name)) out.push(a)
    else if (separateValue) i++ // an option left out, and its value
  }
  return out
}

/** Runs one call in a fresh worker; rejects with ExecutorError('Timeout') after `timeoutMs`. */
export function callIsolated(req: IsolatedRequest, timeoutMs = 30_000): Promise<IsolatedResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { execArgv: workerExecArgv() })
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

  /** The states the current worker holds, least recently used first, with their ids there. */
  private readonly held = new Map<MemoryStorage, number>()
  private nextStateId = 1
  /**
   * The code of the current worker's last call: a node's calls at block after block share one `:code`
   * value, which is then not copied to the worker (nor hashed there to find its compiled module) again.
   */
  private codeSent: Uint8Array | undefined

  private spawn(): Worker {
    this.held.clear()
    this.codeSent = undefined
    const w = new Worker(WORKER_ENTRY, { execArgv: workerExecArgv() })
    w.unref()
    return w
  }

  /** `state` as the worker will know it: by id when it holds it, else as changes from the state it got last, else whole. */
  private stateRef(state: MemoryStorage): WorkerStateRef {
    const known = this.held.get(state)
    if (known !== undefined) {
      this.held.delete(state)
      this.held.set(state, known)
      return { id: known, kind: 'held', drop: [] }
    }
    const id = this.nextStateId++
    let ref: WorkerStateRef | undefined
    const latest = [...this.held].at(-1)
    if (latest) {
      const changes = state.diffFrom(latest[0])
      if (changes.top.length + changes.children.reduce((n, c) => n + c.changes.length, 0) <= MAX_SHIPPED_CHANGES) ref = { id, kind: 'derived', base: latest[1], changes, drop: [] }
    }
    ref ??= { id, kind: 'whole', top: [...state.topEntries()], children: state.childKeys().map((ck) => [ck, [...state.childEntries(ck)]]), drop: [] }
    this.held.set(state, id)
    for (const [s, i] of this.held) {
      if (this.held.size <= WORKER_STATES) break
      this.held.delete(s)
      ref.drop.push(i)
    }
    return ref
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
    const { storage, code, ...rest } = req
    const message: WorkerRequest = { ...rest, id, ...(code === this.codeSent ? {} : { code }), ...(storage ? { state: this.stateRef(storage) } : {}) }
    this.codeSent = code
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
        else {
          // not the runtime's failure: the worker's states may not be what we think, start afresh
          drop()
          reject(new Error(m.message))
        }
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
      worker.postMessage(message)
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
