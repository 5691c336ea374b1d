// Worker-thread entry for isolated runtime calls (see isolated.ts). Runs one call per message and
// posts back the result or a serialized error (with the keys the call read, when asked to record them).
// Holds between calls the compile cache and the last few states IsolatedExecutor sent (each by id, a
// state derived from its parent sharing its unchanged parts), so a call at the next block costs its
// changes, not the whole state; and the last code with its runtime, which a request leaves out when it
// is the same.
import { parentPort } from 'node:worker_threads'
import { MemoryStorage, ProofStorage, RecordingStorage } from './storage.ts'
import { Runtime } from './runtime.ts'
import { ExecutorError, MissingStorageError } from './errors.ts'
import type { WorkerRequest, WorkerStateRef } from './isolated.ts'

const states = new Map<number, MemoryStorage>()

function stateOf(ref: WorkerStateRef): MemoryStorage {
  const s = ref.kind === 'held' ? states.get(ref.id) : ref.kind === 'whole' ? new MemoryStorage(ref.top, ref.children) : states.get(ref.base)?.withChanges(ref.changes)
  if (!s) throw new Error(`the runtime worker does not hold state ${ref.kind === 'derived' ? ref.base : ref.id}`)
  states.set(ref.id, s)
  for (const id of ref.drop) states.delete(id)
  return s
}

/** The code of the last request that carried one, and its runtime once loaded (per import policy). */
let lastCode: Uint8Array | undefined
let lastRuntime: { rt: Runtime; allowUnresolvedImports: boolean } | undefined

function runtimeFor(allowUnresolvedImports: boolean): Runtime {
  if (!lastCode) throw new Error('the runtime worker was sent no code')
  if (lastRuntime?.allowUnresolvedImports !== allowUnresolvedImports) lastRuntime = { rt: Runtime.load(lastCode, { allowUnresolvedImports }), allowUnresolvedImports }
  return lastRuntime.rt
}

parentPort!.on('message', (msg: WorkerRequest) => {
  const { id, ...req } = msg
  if (req.code) {
    lastCode = req.code
    lastRuntime = undefined
  }
  const post = (reply: object) => parentPort!.postMessage({ ...reply, id })
  let base
  try {
    base = req.proof ? new ProofStorage(req.proof.stateRoot, req.proof.nodes) : req.state ? stateOf(req.state) : new MemoryStorage(req.top ?? [], req.children ?? [])
  } catch (e) {
    return post({ ok: false, kind: 'other', message: (e as Error)?.message ?? String(e) })
  }
  const storage = req.record ? new RecordingStorage(base) : base
  const accessLog = storage instanceof RecordingStorage ? storage.log : undefined
  try {
    const rt = runtimeFor(req.allowUnresolvedImports ?? false)
    if (req.prepareOnly) return post({ ok: true, output: new Uint8Array(), changes: { top: [], children: [] }, offchainIndex: [], logs: [] })
    const r = rt.call(req.method, req.args, { storage, heapPages: req.heapPages, maxLogLevel: req.maxLogLevel })
    post({ ok: true, output: r.output, changes: r.changes, offchainIndex: r.offchainIndex, logs: r.logs, accessLog })
  } catch (e) {
    if (e instanceof ExecutorError) post({ ok: false, kind: 'executor', code: e.code, message: e.message, details: e.details, accessLog })
    else if (e instanceof MissingStorageError) post({ ok: false, kind: 'missing', key: e.key, childKey: e.childKey, operation: e.operation, accessLog })
    else post({ ok: false, kind: 'other', message: (e as Error)?.message ?? String(e), accessLog })
  }
})
