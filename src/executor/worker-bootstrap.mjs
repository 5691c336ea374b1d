// Worker bootstrap: registers tsx in this thread, then loads a TypeScript worker entry: the executor's
// (`worker-entry.ts`), or the one named by `workerData.tsEntry` (a file URL; other modules' workers).
// (On Node 20 a worker's entry is resolved before `--import` hooks apply, so a .ts entry fails.)
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'
register()
await import(workerData?.tsEntry ?? './worker-entry.ts')
