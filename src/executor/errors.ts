// The executor's errors. `ExecutorError` covers bad code, missing imports/exports, traps, panics,
// allocator exhaustion and timeouts (with the runtime's panic message when there is one).
// `MissingStorageError` is the sans-IO "I need key K" signal: the caller fetches a proof and retries.

export type ExecutorErrorCode =
  | 'InvalidCode' // not a WebAssembly module, or it failed to compile/instantiate
  | 'MissingImports' // imports the host does not provide (listed in `missing`)
  | 'MissingExport' // the called function or a required export does not exist
  | 'Trap' // the runtime trapped (unreachable, out-of-bounds, ...) or panicked
  | 'OutOfMemory' // the freeing-bump allocator could not satisfy a request
  | 'BadHostCall' // the runtime passed invalid arguments to a host function
  | 'Timeout' // the call ran past its wall-clock limit (worker isolation)
  | 'StorageRootUnavailable' // a state root was requested over a partial (proof) backend

export class ExecutorError extends Error {
  override readonly name = 'ExecutorError'
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    readonly details: { panicMessage?: string; missing?: string[] } = {},
  ) {
    super(message)
  }
  get panicMessage(): string | undefined {
    return this.details.panicMessage
  }
}

/** Storage the backend cannot answer (not in the proof). Carries the key so the caller can fetch it. */
export class MissingStorageError extends Error {
  override readonly name = 'MissingStorageError'
  constructor(
    readonly key: Uint8Array,
    /** Child trie key (without `:child_storage:default:`), when the read was in a child trie. */
    readonly childKey: Uint8Array | undefined,
    readonly operation: 'get' | 'nextKey',
  ) {
    super(`storage ${operation} of a key not covered by the proof${childKey ? ' (child trie)' : ''}`)
  }
}
