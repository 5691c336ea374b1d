// Worker bootstrap: registers tsx in this thread, then loads the TypeScript worker entry.
// (On Node 20 a worker's entry is resolved before `--import` hooks apply, so a .ts entry fails.)
import { register } from 'tsx/esm/api'
register()
await import('./worker-entry.ts')
