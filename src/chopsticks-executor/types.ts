// The shapes `@acala-network/chopsticks-executor` 1.5.x takes and returns (its `index.d.ts` types them
// `any`; these are what its Rust side deserializes and serializes), shared by the entry, the worker and
// the task runner.

export type HexString = `0x${string}`

/** The asynchronous storage and offchain callbacks Chopsticks passes with every task. */
export interface JsCallback {
  getStorage: (key: HexString) => Promise<string | undefined>
  getNextKey: (prefix: HexString, key: HexString) => Promise<string | undefined>
  offchainGetStorage: (key: HexString) => Promise<string | undefined>
  offchainTimestamp: () => Promise<number>
  offchainRandomSeed: () => Promise<HexString>
  offchainSubmitTransaction: (tx: HexString) => Promise<boolean>
}

/** The callbacks' names: what a task asks its caller for. */
export type CallbackName = keyof JsCallback

/** One task: runtime calls run one after the other, each seeing the previous ones' changes. */
export interface TaskCall {
  /** Runtime code (raw or zstd-compressed), hex. */
  wasm: HexString
  /** `[runtime function, [SCALE-encoded arguments, concatenated]]`. */
  calls: [method: string, args: HexString[]][]
  /** 0 or false: check signatures; 1 or true: accept Chopsticks' magic signature (0xdeadbeef, then 0xcd bytes); 2: accept all. */
  mockSignatureHost: number | boolean
  /** Run runtimes that import host functions we do not have (calling one traps). */
  allowUnresolvedImports: boolean
  /** 0 = off, 1 = error … 5 = trace: what `ext_logging_max_level` answers. */
  runtimeLogLevel: number
  /** What `ext_storage_proof_size_storage_proof_size_version_1` answers (default 0). */
  storageProofSize?: number | bigint
  /** Chopsticks numbers its tasks; unused here. */
  id?: number
}

/** A runtime log: `ext_logging_log` (level 0 = error … 4 = trace, and a target) or `ext_misc_print_*` (neither). */
export interface LogInfo {
  message: string
  level: number | undefined
  target: string | undefined
}

export interface CallResponse {
  /** The last call's output. */
  result: HexString
  /** Every key the calls changed, sorted; child-trie keys prefixed with `:child_storage:default:` ++ child key; undefined = deleted. */
  storageDiff: [HexString, HexString | undefined][]
  /** Offchain (persistent) storage writes and offchain indexing, sorted by key. */
  offchainStorageDiff: [HexString, HexString | undefined][]
  runtimeLogs: LogInfo[]
}

export type TaskResponse = { Call: CallResponse } | { Error: string }

/** `get_runtime_version`'s answer: names hex-encoded (Chopsticks decodes them), API ids hex. */
export interface RuntimeVersionJson {
  specName: HexString
  implName: HexString
  authoringVersion: number
  specVersion: number
  implVersion: number
  apis: [HexString, number][]
  transactionVersion: number
  stateVersion: number
}
