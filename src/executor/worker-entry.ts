// Worker-thread entry for isolated runtime calls (see isolated.ts). Runs one call per message and
// posts back the result or a serialized error. Holds no state between calls except the compile cache.
import { parentPort } from 'node:worker_threads'
import { MemoryStorage, ProofStorage } from './storage.ts'
import { Runtime } from './runtime.ts'
import { ExecutorError, MissingStorageError } from './errors.ts'
import type { IsolatedRequest } from './isolated.ts'

parentPort!.on('message', (req: IsolatedRequest) => {
  try {
    const rt = Runtime.load(req.code, { allowUnresolvedImports: req.allowUnresolvedImports })
    const storage = req.proof ? new ProofStorage(req.proof.stateRoot, req.proof.nodes) : new MemoryStorage(req.top ?? [], req.children ?? [])
    const r = rt.call(req.method, req.args, { storage, heapPages: req.heapPages, maxLogLevel: req.maxLogLevel })
    parentPort!.postMessage({ ok: true, output: r.output, changes: r.changes, offchainIndex: r.offchainIndex, logs: r.logs })
  } catch (e) {
    if (e instanceof ExecutorError) parentPort!.postMessage({ ok: false, kind: 'executor', code: e.code, message: e.message, details: e.details })
    else if (e instanceof MissingStorageError) parentPort!.postMessage({ ok: false, kind: 'missing', key: e.key, childKey: e.childKey, operation: e.operation })
    else parentPort!.postMessage({ ok: false, kind: 'other', message: (e as Error)?.message ?? String(e) })
  }
})
