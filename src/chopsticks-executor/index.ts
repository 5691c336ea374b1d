// `sublight/chopsticks-executor`: a drop-in for `@acala-network/chopsticks-executor` 1.5.x (smoldot's
// executor compiled to WebAssembly, an interpreter) that runs runtimes on the host's own WebAssembly
// engine. Same exports, same argument and result shapes; Chopsticks switches to it with one npm
// `overrides` entry (README, "Chopsticks"). Node only: tasks run in a worker thread that blocks on
// `Atomics.wait` while this thread answers each storage read through Chopsticks' asynchronous callbacks.
// This module's own imports stay free of top-level await (the trie code comes in on first use), so
// CommonJS code — Chopsticks' CLI build — can `require()` it on Node 20.19+.
//
//   import { run_task } from 'sublight/chopsticks-executor'
//   const res = await run_task({ wasm, calls: [['Core_version', []]], mockSignatureHost: 0,
//     allowUnresolvedImports: false, runtimeLogLevel: 0 }, callbacks)   // { Call: { result, storageDiff, … } }

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { workerExecArgv } from '../executor/isolated.ts'
import type { HexString, JsCallback, RuntimeVersionJson, TaskCall, TaskResponse } from './types.ts'
import type { CallbackAnswer, CallbackQuestion, WorkerReply, WorkerRequest } from './worker-entry.ts'

export type { CallResponse, HexString, JsCallback, LogInfo, RuntimeVersionJson, TaskCall, TaskResponse } from './types.ts'

const FROM_SOURCES = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(FROM_SOURCES ? '../executor/worker-bootstrap.mjs' : './worker-entry.js', import.meta.url)
const TS_ENTRY = new URL('./worker-entry.ts', import.meta.url).href

/** Codes the worker is known to hold (it keeps more than this, so a code listed here is never missing). */
const RECENT_CODES = 4

let callbackTimeoutMs = Number(process.env.SUBLIGHT_CHOPSTICKS_CALLBACK_TIMEOUT_MS) || 60_000

/**
 * Options: `callbackTimeoutMs` bounds the wait for each storage or offchain callback (default 60 s, or
 * `SUBLIGHT_CHOPSTICKS_CALLBACK_TIMEOUT_MS`); a callback that does not answer in time fails its task.
 */
export function configure(opts: { callbackTimeoutMs?: number }): void {
  if (opts.callbackTimeoutMs !== undefined) {
    if (!(opts.callbackTimeoutMs > 0)) throw new RangeError('callbackTimeoutMs must be positive')
    callbackTimeoutMs = opts.callbackTimeoutMs
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; port?: MessagePort }

class ExecutorWorker {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private readonly codes: { code: string; unresolved: boolean; id: number }[] = []
  private nextId = 1
  private nextCodeId = 1
  dead = false

  constructor() {
    this.worker = new Worker(WORKER_URL, { workerData: FROM_SOURCES ? { tsEntry: TS_ENTRY } : undefined, execArgv: workerExecArgv() })
    this.worker.unref()
    this.worker.on('message', (r: WorkerReply) => this.settle(r))
    this.worker.on('error', (e) => this.fail(e))
    this.worker.on('exit', (code) => this.fail(new Error(`the executor worker exited (code ${code})`)))
  }

  private settle(r: WorkerReply): void {
    const p = this.pending.get(r.id)
    if (!p) return
    this.pending.delete(r.id)
    p.port?.close()
    if (this.pending.size === 0) this.worker.unref()
    if (r.ok) p.resolve(r.value)
    else p.reject(new Error(r.message))
  }

  private fail(e: Error): void {
    this.dead = true
    for (const p of this.pending.values()) {
      p.port?.close()
      p.reject(e)
    }
    this.pending.clear()
  }

  /** The code's id, and the code itself when the worker has not been sent it lately (with this import policy). */
  private code(code: string, unresolved: boolean): { codeId: number; code?: string } {
    const i = this.codes.findIndex((c) => c.unresolved === unresolved && c.code === code)
    if (i >= 0) {
      const [c] = this.codes.splice(i, 1)
      this.codes.push(c)
      return { codeId: c.id }
    }
    const id = this.nextCodeId++
    this.codes.push({ code, unresolved, id })
    if (this.codes.length > RECENT_CODES) this.codes.shift()
    return { codeId: id, code }
  }

  request(req: Omit<WorkerRequest, 'id' | 'codeId' | 'code'>, code: string, port?: MessagePort): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new Error('the executor worker has stopped'))
      const id = this.nextId++
      this.pending.set(id, { resolve, reject, port })
      this.worker.ref()
      const msg = { ...req, id, ...this.code(code, req.allowUnresolvedImports) } as WorkerRequest
      try {
        this.worker.postMessage(msg, port && msg.kind === 'task' ? [msg.port] : [])
      } catch (e) {
        this.pending.delete(id)
        reject(e as Error)
      }
    })
  }

  terminate(): Promise<number> {
    return this.worker.terminate()
  }
}

let current: ExecutorWorker | undefined
function executorWorker(): ExecutorWorker {
  if (!current || current.dead) current = new ExecutorWorker()
  return current
}

/** Stops the worker thread (a later call starts a new one). */
export async function destroy(): Promise<void> {
  const w = current
  current = undefined
  await w?.terminate()
}

/** A 0x-prefixed string of even length (runtime code is megabytes: its digits are checked where it is decoded, once per code). */
function isHex(v: unknown): v is HexString {
  return typeof v === 'string' && v.length % 2 === 0 && v.startsWith('0x')
}

/** Answers the worker's questions on `port` through `callbacks`, waking it through `flag`. */
function answerCallbacks(port: MessagePort, flag: Int32Array, callbacks: JsCallback): void {
  const reply = (a: CallbackAnswer) => {
    // (an answer that comes after its task gave up goes to a closed port: dropped)
    try {
      port.postMessage(a)
    } catch {
      try {
        port.postMessage({ ok: false, message: 'the callback answered a value that cannot be sent to the worker' } satisfies CallbackAnswer)
      } catch {
        return
      }
    }
    Atomics.store(flag, 0, 1)
    Atomics.notify(flag, 0)
  }
  port.on('message', (q: CallbackQuestion) => {
    let answer: Promise<unknown>
    try {
      const fn = (callbacks as unknown as Record<string, unknown>)?.[q.name]
      if (typeof fn !== 'function') throw new Error(`no ${q.name} callback`)
      answer = Promise.resolve((fn as (...a: string[]) => unknown).apply(callbacks, q.args))
    } catch (e) {
      answer = Promise.reject(e)
    }
    answer.then(
      (value) => reply({ ok: true, value }),
      (e: unknown) => reply({ ok: false, message: e instanceof Error ? e.message : String(e) }),
    )
  })
}

/**
 * Runs the task's calls one after the other over the callbacks' storage. Never throws: a runtime that
 * does not load, a missing function, a trap, bad input or a callback that fails or does not answer in
 * time all give `{ Error: message }`.
 */
export async function run_task(task: TaskCall, callbacks: JsCallback): Promise<TaskResponse> {
  try {
    if (typeof task !== 'object' || task === null) return { Error: 'task must be an object' }
    const { wasm, ...rest } = task
    if (!isHex(wasm)) return { Error: 'task.wasm must be the runtime code as 0x-prefixed hex' }
    const { port1, port2 } = new MessageChannel()
    const flag = new Int32Array(new SharedArrayBuffer(4))
    answerCallbacks(port1, flag, callbacks)
    const req = { kind: 'task', task: rest, port: port2, flag, timeoutMs: callbackTimeoutMs, allowUnresolvedImports: task.allowUnresolvedImports === true } as const
    return (await executorWorker().request(req, wasm, port1)) as TaskResponse
  } catch (e) {
    return { Error: e instanceof Error ? e.message : String(e) }
  }
}

/** The runtime's version (names as hex, as the original answers them). Rejects for code that is not a runtime. */
export async function get_runtime_version(code: HexString): Promise<RuntimeVersionJson> {
  if (!isHex(code)) throw new Error('code must be 0x-prefixed hex')
  return (await executorWorker().request({ kind: 'version', allowUnresolvedImports: true }, code)) as RuntimeVersionJson
}

/** Root of a trie over `[keyHex, valueHex]` entries; `trieVersion` 0 or 1. */
export async function calculate_state_root(entries: [HexString, HexString][], trieVersion: number): Promise<HexString> {
  return (await import('./trie-tools.ts')).stateRootOf(entries, trieVersion)
}

/** The `[keyHex, valueHex]` entries of the trie of root `trieRootHash` that the proof nodes hold, in key order. */
export async function decode_proof(trieRootHash: HexString, nodes: HexString[]): Promise<[HexString, HexString][]> {
  return (await import('./trie-tools.ts')).decodeProofEntries(trieRootHash, nodes)
}

/** A new proof: the nodes' inline values with `updates` applied (null deletes); `[root, nodes]`. */
export async function create_proof(nodes: HexString[], updates: [HexString, HexString | null][]): Promise<[HexString, HexString[]]> {
  return (await import('./trie-tools.ts')).createProofOf(nodes, updates)
}

/** Chopsticks' self-test: answers `callbacks.getStorage(key)`. */
export async function testing(callbacks: JsCallback, key: HexString): Promise<unknown> {
  return callbacks.getStorage(key)
}

/** wasm-bindgen's initialisers, kept for callers that use them: there is nothing to initialise. */
export function initSync(_module?: unknown): Record<string, never> {
  return {}
}
export default async function init(_module?: unknown): Promise<Record<string, never>> {
  return {}
}
