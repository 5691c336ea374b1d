// Public surface of the executor: load a runtime (raw or zstd), call any of its functions over the
// storage of your choosing (in memory, a Merkle proof, or your own backend), get output, storage
// changes, offchain-index changes, logs and the new state root. Calls can run in a worker thread with
// a wall-clock limit: import `./isolated.ts` directly (Node only, so not part of this surface, which the
// browser build shares).
//
//   const rt = Runtime.load(code)
//   const res = rt.call('Metadata_metadata', new Uint8Array(), { storage: new MemoryStorage(entries) })
//   res.output; res.changes; res.stateRoot(1)
export { Runtime, MAX_CACHED_RUNTIMES, DEFAULT_HEAP_PAGES, HEAPPAGES_KEY, heapPagesOf, type CallOptions, type CallResult, type LoadOptions } from './runtime.ts'
export { ExecutorError, MissingStorageError, type ExecutorErrorCode } from './errors.ts'
export { MemoryStorage, ProofStorage, RecordingStorage, OverlayStorage, type StorageBackend, type StorageChanges, type StorageAccessLog } from './storage.ts'
export { Keystore, type KeyScheme } from './keystore.ts'
export { FreeingBumpAllocator, MAX_POSSIBLE_ALLOCATION } from './allocator.ts'
export type { RuntimeLog, TransactionIndexOperation, StorageRoots, OffchainHost } from './host-api.ts'
export { isMagicSignature, OFFCHAIN_PERSISTENT, OFFCHAIN_LOCAL } from './host-api.ts'
export * from './runtime-code.ts'
