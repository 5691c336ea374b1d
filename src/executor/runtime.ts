// Loading and calling runtimes on the host's own WebAssembly engine (V8 in Node, the browser's engine
// in a page): bounded decompression, compile once per code hash, the heap sized from `:heappages`, both
// memory models (exported or imported memory), typed errors for every failure. One instance per runtime
// is kept and reused: after a successful call its static data (below `__heap_base`) is restored from a
// snapshot, the used heap zeroed and its mutable globals reset (the module is compiled with every
// mutable global exported, as Substrate's executor does); after any failure the instance is dropped.
// Synchronous and sans-IO: storage comes through a StorageBackend.

import { Reader, toHex, utf8 } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import type { StateVersion } from '../trie/index.ts'
import { FreeingBumpAllocator } from './allocator.ts'
import { ExecutorError, MissingStorageError } from './errors.ts'
import { RuntimePanic, alloc, hostFunctions, isContextOnlyImport, type HostContext, type OffchainHost, type RuntimeLog, type StorageRoots, type TransactionIndexOperation } from './host-api.ts'
import type { Keystore } from './keystore.ts'
import { decodeRuntimeVersion, decompressRuntimeCode, decompressRuntimeCodeAsync, encodeRuntimeVersion, readRuntimeVersionSections, RuntimeCodeError, type RuntimeVersion } from './runtime-code.ts'
import { MemoryStorage, OverlayStorage, type StorageBackend, type StorageChanges } from './storage.ts'
import { EXPOSED_GLOBAL_PREFIX, exposeMutableGlobals, importedMemoryLimits, type MemoryLimits } from './wasm-module.ts'

/** Compiled runtimes kept (each holds a compiled module and one pooled instance with its memory). */
export const MAX_CACHED_RUNTIMES = 8

/** Substrate's default number of heap pages when `:heappages` is absent. */
export const DEFAULT_HEAP_PAGES = 2048
/** The storage key of a chain's heap pages (a SCALE u64). */
export const HEAPPAGES_KEY = utf8(':heappages')

/**
 * The heap pages a `:heappages` value sets: its u64 when it is one, else Substrate's default. Substrate
 * reads it (with `:code`) before a call, outside the call's storage recording, so a call proof never
 * holds it: callers over proofs take it from the block's runtime, never from the call's storage.
 */
export function heapPagesOf(value: Uint8Array | undefined): number {
  return value && value.length === 8 ? Number(new Reader(value).u64()) : DEFAULT_HEAP_PAGES
}

export interface LoadOptions {
  /** Compile even if the runtime imports host functions we lack; calling one of them traps. */
  allowUnresolvedImports?: boolean
  /** Limit on the decompressed code size (default 50 MiB, as Substrate). */
  maxCodeSize?: number
  /** Skip the per-code-hash compile cache (benchmarks of cold starts). */
  noCache?: boolean
}

export interface CallOptions {
  /** State the runtime reads; defaults to an empty state. */
  storage?: StorageBackend
  /** Heap pages; default: `:heappages` from storage, else 2048. */
  heapPages?: number
  keystore?: Keystore
  /** 0 = off … 5 = trace (default 3, info). */
  maxLogLevel?: number
  /** Size of the storage proof recorded so far (Cumulus' proof-size host function); default: not recording (u64::MAX). */
  proofSize?: () => bigint
  /** Signatures accepted unchecked (Chopsticks' mock signing; see HostContext.signatureMock). */
  signatureMock?: 'magic' | 'always'
  /** How state roots are answered, for backends that cannot enumerate the state (default: computed over the whole state). */
  roots?: StorageRoots
  /** An offchain context: `ext_offchain_*` work through it (default: they trap). */
  offchain?: OffchainHost
}

export interface CallResult {
  output: Uint8Array
  changes: StorageChanges
  offchainIndex: [key: Uint8Array, value: Uint8Array | null][]
  /** The call's `ext_transaction_index_*` operations (index / renew), in order. */
  transactionIndex: TransactionIndexOperation[]
  logs: RuntimeLog[]
  /** State root after the call's changes (needs a backend holding the whole state). */
  stateRoot(version: StateVersion): Uint8Array
  /** The overlay, to chain further calls on the resulting state. */
  overlay: OverlayStorage
}

/** A compiled runtime, ready to be called any number of times. */
/** Runtime code decompressed and made ready to compile (what `load` and `loadAsync` share). */
interface PreparedCode {
  codeHash: Uint8Array
  cacheKey: string
  wasm: Uint8Array
  embedded: RuntimeVersion | undefined
  /** The code with its mutable globals exported (or the code itself when they cannot be). */
  compiled: Uint8Array
  reusable: boolean
}

/** A module the engine refuses to compile. */
function compileFailed(e: unknown): never {
  throw new ExecutorError('InvalidCode', `runtime does not compile: ${(e as Error).message}`)
}

export class Runtime {
  private constructor(
    readonly codeHash: Uint8Array,
    readonly wasm: Uint8Array,
    private readonly module: WebAssembly.Module,
    private readonly memoryImport: MemoryLimits | undefined,
    private readonly unresolved: Set<string>,
    /** The version from the code's custom sections, when it has them. */
    readonly embeddedVersion: RuntimeVersion | undefined,
    /** Whether an instance may serve several calls (its mutable globals are exported, so resettable). */
    private readonly reusable: boolean,
  ) {}

  /** Compiled runtimes by code hash, least recently used first; at most `MAX_CACHED_RUNTIMES`. */
  private static cache = new Map<string, Runtime>()

  /** Runtimes in the compile cache (bounded). */
  static get cachedCount(): number {
    return Runtime.cache.size
  }

  /** Decompresses and compiles `code` (cached per code hash). Throws ExecutorError. */
  static load(code: Uint8Array, opts: LoadOptions = {}): Runtime {
    const p = Runtime.prepare(code, opts)
    if (p instanceof Runtime) return p
    let module: WebAssembly.Module
    try {
      module = new WebAssembly.Module(p.compiled as Uint8Array<ArrayBuffer>)
    } catch (e) {
      return compileFailed(e)
    }
    return Runtime.finish(p, module, opts)
  }

  /**
   * `load`, compiling asynchronously: the engine compiles off the calling thread, so a service's event
   * loop is not held for the compile, and browsers (which refuse synchronous compiles of more than 4 KB on
   * their main thread) can load runtimes. Same cache, same errors.
   */
  static async loadAsync(code: Uint8Array, opts: LoadOptions = {}): Promise<Runtime> {
    // decompressed in slices first (the event loop keeps running); the code is hashed once
    const codeHash = blake2_256(code)
    const cached = Runtime.cached(codeHash, opts)
    if (cached) return cached
    let wasm: Uint8Array
    try {
      wasm = await decompressRuntimeCodeAsync(code, opts.maxCodeSize)
    } catch (e) {
      if (e instanceof RuntimeCodeError) throw new ExecutorError('InvalidCode', e.message)
      throw e
    }
    const p = Runtime.prepare(code, opts, codeHash, wasm)
    if (p instanceof Runtime) return p
    const module = await WebAssembly.compile(p.compiled as Uint8Array<ArrayBuffer>).catch(compileFailed)
    // another load may have finished the same code meanwhile: one cache entry
    return Runtime.cache.get(p.cacheKey) ?? Runtime.finish(p, module, opts)
  }

  /** The cache key of a code hash under `opts`. */
  private static cacheKey(codeHash: Uint8Array, opts: LoadOptions): string {
    return toHex(codeHash) + (opts.allowUnresolvedImports ? '+u' : '')
  }

  /** The runtime compiled from the code hashing to `codeHash`, when cached (most recently used moves last). */
  private static cached(codeHash: Uint8Array, opts: LoadOptions): Runtime | undefined {
    if (opts.noCache) return undefined
    const key = Runtime.cacheKey(codeHash, opts)
    const hit = Runtime.cache.get(key)
    if (hit) {
      Runtime.cache.delete(key)
      Runtime.cache.set(key, hit)
    }
    return hit
  }

  /** The cached runtime, or the decompressed code ready to compile. */
  private static prepare(code: Uint8Array, opts: LoadOptions, codeHash = blake2_256(code), decompressed?: Uint8Array): Runtime | PreparedCode {
    const cacheKey = Runtime.cacheKey(codeHash, opts)
    const hit = Runtime.cached(codeHash, opts)
    if (hit) return hit
    let wasm: Uint8Array
    let embedded: RuntimeVersion | undefined
    try {
      wasm = decompressed ?? decompressRuntimeCode(code, opts.maxCodeSize)
      embedded = readRuntimeVersionSections(wasm)
    } catch (e) {
      if (e instanceof RuntimeCodeError) throw new ExecutorError('InvalidCode', e.message)
      throw e
    }
    // Instances are reused only when every mutable global can be reset: the compiled module exports them.
    let reusable = true
    let compiled = wasm
    try {
      compiled = exposeMutableGlobals(wasm)
    } catch {
      reusable = false // a module our walker cannot read: compile it as is, one instance per call
    }
    return { codeHash, cacheKey, wasm, embedded, compiled, reusable }
  }

  /** Checks the compiled module's imports and caches the runtime. */
  private static finish(p: PreparedCode, module: WebAssembly.Module, opts: LoadOptions): Runtime {
    const provided = hostFunctions(dummyContext())
    const missing: string[] = []
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind === 'memory') continue
      if (imp.module !== 'env' || imp.kind !== 'function') {
        missing.push(`${imp.module}.${imp.name}`)
        continue
      }
      if (!(imp.name in provided) && !isContextOnlyImport(imp.name)) missing.push(imp.name)
    }
    if (missing.length > 0 && !opts.allowUnresolvedImports) throw new ExecutorError('MissingImports', `runtime imports host functions we do not provide: ${missing.join(', ')}`, { missing })
    const rt = new Runtime(p.codeHash, p.wasm, module, importedMemoryLimits(p.wasm), new Set(missing), p.embedded, p.reusable)
    if (!opts.noCache) {
      Runtime.cache.set(p.cacheKey, rt)
      // a chain has one runtime at a time (two around an upgrade): evict the least recently used beyond the bound
      while (Runtime.cache.size > MAX_CACHED_RUNTIMES) Runtime.cache.delete(Runtime.cache.keys().next().value!)
    }
    return rt
  }

  /** Whether the runtime exports `name` (a runtime API function such as `BabeApi_configuration`). */
  hasExport(name: string): boolean {
    this.exportNames ??= new Set(WebAssembly.Module.exports(this.module).map((e) => e.name))
    return this.exportNames.has(name)
  }
  private exportNames: Set<string> | undefined

  /** An idle instance kept between calls (memory restored after each successful call). */
  private pooled: PooledInstance | undefined

  /** Instantiates the module with host functions bound to a context object that each call refills. */
  private instantiate(heapPages: number): PooledInstance {
    const ctx: HostContext = {
      memory: () => memory,
      allocator: undefined as unknown as FreeingBumpAllocator,
      storage: undefined as unknown as OverlayStorage,
      keystore: undefined,
      offchainIndex: [],
      transactionIndex: [],
      logs: [],
      maxLogLevel: 3,
      batchResults: undefined,
      panicMessage: undefined,
      runtimeVersionOf: (code) => otherRuntimeVersion(code),
    }
    const env = hostFunctions(ctx) as unknown as Record<string, WebAssembly.ImportValue>
    for (const name of this.unresolved) env[name] = () => trap(`runtime called host function ${name}, which is not provided`)
    for (const imp of WebAssembly.Module.imports(this.module)) {
      if (imp.kind === 'function' && !(imp.name in env)) env[imp.name] = () => trap(`${imp.name} is only available in an offchain-worker context`)
    }
    let memory!: WebAssembly.Memory
    if (this.memoryImport) {
      const initial = this.memoryImport.min + heapPages
      const max = this.memoryImport.max
      if (max !== undefined && initial > max) throw new ExecutorError('InvalidCode', `heap of ${heapPages} pages exceeds the runtime's memory maximum`)
      memory = new WebAssembly.Memory({ initial, maximum: max ?? initial })
      env.memory = memory
    }
    let instance: WebAssembly.Instance
    try {
      instance = new WebAssembly.Instance(this.module, { env })
    } catch (e) {
      throw new ExecutorError('InvalidCode', `runtime does not instantiate: ${(e as Error).message}`)
    }
    const exp = instance.exports
    if (!this.memoryImport) {
      if (!(exp.memory instanceof WebAssembly.Memory)) throw new ExecutorError('MissingExport', 'runtime neither imports nor exports its memory')
      memory = exp.memory
      try {
        memory.grow(heapPages)
      } catch {
        throw new ExecutorError('InvalidCode', `cannot grow the runtime's memory by ${heapPages} heap pages (memory maximum)`)
      }
    }
    const heapBase = exp.__heap_base instanceof WebAssembly.Global ? Number(exp.__heap_base.value) : undefined
    if (heapBase === undefined) throw new ExecutorError('MissingExport', 'runtime does not export __heap_base')
    // Everything below __heap_base is the module's static data: snapshot it, and the mutable globals'
    // initial values, to restore after each call.
    const globals: [WebAssembly.Global, number | bigint][] = []
    for (const [name, value] of Object.entries(exp)) {
      if (name.startsWith(EXPOSED_GLOBAL_PREFIX) && value instanceof WebAssembly.Global) globals.push([value, value.value as number | bigint])
    }
    return { ctx, instance, memory, heapBase, heapPages, snapshot: new Uint8Array(memory.buffer).slice(0, heapBase), globals, busy: false }
  }

  /** Runs the exported function `method` with SCALE-encoded `args`. */
  call(method: string, args: Uint8Array = new Uint8Array(), opts: CallOptions = {}): CallResult {
    const backend = opts.storage ?? new MemoryStorage([])
    const heapPages = opts.heapPages ?? heapPagesOf(backend.get(HEAPPAGES_KEY))
    const pooled = this.pooled
    const inst = pooled && !pooled.busy && pooled.heapPages === heapPages ? pooled : this.instantiate(heapPages)
    const fn = inst.instance.exports[method]
    if (typeof fn !== 'function') throw new ExecutorError('MissingExport', `runtime has no function ${method}`)
    const overlay = new OverlayStorage(backend)
    const ctx = inst.ctx
    Object.assign(ctx, {
      allocator: new FreeingBumpAllocator(inst.heapBase),
      storage: overlay,
      keystore: opts.keystore,
      offchainIndex: [],
      transactionIndex: [],
      logs: [],
      maxLogLevel: opts.maxLogLevel ?? 3,
      batchResults: undefined,
      panicMessage: undefined,
      proofSize: opts.proofSize,
      signatureMock: opts.signatureMock,
      roots: opts.roots,
      offchain: opts.offchain,
    })
    inst.busy = true
    let output: Uint8Array
    try {
      const inPtr = alloc(ctx, args)
      const ret = BigInt((fn as (p: number, l: number) => bigint | number)(inPtr, args.length))
      const outPtr = Number(ret & 0xffffffffn)
      const outLen = Number(ret >> 32n)
      const buf = new Uint8Array(inst.memory.buffer)
      if (outPtr + outLen > buf.length) throw new ExecutorError('Trap', `runtime returned an output outside its memory (${outPtr}+${outLen})`)
      output = buf.slice(outPtr, outPtr + outLen)
      if (overlay.transactionDepth !== 0) throw new ExecutorError('Trap', 'runtime returned with storage transactions still open')
      // Restore the instance for the next call: static data from the snapshot, the used heap zeroed,
      // the mutable globals (stack pointer included) to their initial values.
      buf.set(inst.snapshot, 0)
      buf.fill(0, inst.heapBase, Math.min(ctx.allocator.highWater, buf.length))
      for (const [g, v] of inst.globals) g.value = v
    } catch (e) {
      // The instance's state (stack pointer, statics, heap) is unknown after a failure: drop it, so the
      // next call starts from a fresh instance.
      if (this.pooled === inst) this.pooled = undefined
      throw callError(e, ctx)
    }
    inst.busy = false
    if (this.reusable) this.pooled = inst
    return {
      output,
      changes: overlay.changes(),
      offchainIndex: ctx.offchainIndex,
      transactionIndex: ctx.transactionIndex,
      logs: ctx.logs,
      stateRoot: (v) => overlay.root(v),
      overlay,
    }
  }

  /** The runtime's version: from its custom sections, else by executing `Core_version` (over `storage` when given). */
  version(storage?: StorageBackend): RuntimeVersion {
    return this.embeddedVersion ?? decodeRuntimeVersion(this.call('Core_version', new Uint8Array(), { storage }).output)
  }
}

interface PooledInstance {
  ctx: HostContext
  instance: WebAssembly.Instance
  memory: WebAssembly.Memory
  heapBase: number
  heapPages: number
  snapshot: Uint8Array
  /** Every mutable global the module defines, with its initial value. */
  globals: [WebAssembly.Global, number | bigint][]
  busy: boolean
}

function trap(message: string): never {
  throw new ExecutorError('Trap', message)
}

function callError(e: unknown, ctx: HostContext): Error {
  if (e instanceof ExecutorError || e instanceof MissingStorageError) {
    if (e instanceof ExecutorError && e.code === 'Trap' && ctx.panicMessage && !e.details.panicMessage) return new ExecutorError('Trap', e.message, { panicMessage: ctx.panicMessage })
    return e
  }
  if (e instanceof RuntimePanic) return new ExecutorError('Trap', `runtime panicked: ${e.message}`, { panicMessage: e.message })
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    const why = ctx.panicMessage ? `runtime panicked: ${ctx.panicMessage}` : `runtime trapped: ${(e as Error).message}`
    return new ExecutorError('Trap', why, { panicMessage: ctx.panicMessage })
  }
  if (e instanceof RuntimeCodeError) return new ExecutorError('InvalidCode', e.message)
  return e instanceof Error ? e : new Error(String(e))
}

/**
 * `ext_misc_runtime_version`: the encoded version of other code (undefined if it is not a runtime) —
 * from its embedded `runtime_version` / `runtime_apis` sections when it has them, else by running its
 * `Core_version`, as Substrate's executor does (`can_set_code` compares that spec version).
 */
function otherRuntimeVersion(code: Uint8Array): Uint8Array | undefined {
  try {
    const rt = Runtime.load(code)
    return rt.embeddedVersion ? encodeRuntimeVersion(rt.embeddedVersion) : rt.call('Core_version').output
  } catch (e) {
    if (e instanceof ExecutorError) return undefined
    throw e
  }
}

function dummyContext(): HostContext {
  return {
    memory: () => {
      throw new Error('unused')
    },
    allocator: undefined as unknown as FreeingBumpAllocator,
    storage: undefined as unknown as OverlayStorage,
    keystore: undefined,
    offchainIndex: [],
    transactionIndex: [],
    logs: [],
    maxLogLevel: 0,
    batchResults: undefined,
    panicMessage: undefined,
    runtimeVersionOf: () => undefined,
  }
}
