// Loading and calling runtimes on the host's own WebAssembly engine (V8 in Node, the browser's engine
// in a page): bounded decompression, compile once per code hash, a fresh instance per call with the
// heap sized from `:heappages`, both memory models (exported or imported memory), typed errors for
// every failure. Synchronous and sans-IO: storage comes through a StorageBackend.

import { Reader, toHex, utf8 } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import type { StateVersion } from '../trie/index.ts'
import { FreeingBumpAllocator } from './allocator.ts'
import { ExecutorError, MissingStorageError } from './errors.ts'
import { RuntimePanic, alloc, hostFunctions, isContextOnlyImport, type HostContext, type RuntimeLog } from './host-api.ts'
import type { Keystore } from './keystore.ts'
import { decodeRuntimeVersion, decompressRuntimeCode, readRuntimeVersionSections, RuntimeCodeError, type RuntimeVersion } from './runtime-code.ts'
import { MemoryStorage, OverlayStorage, type StorageBackend, type StorageChanges } from './storage.ts'
import { importedMemoryLimits, type MemoryLimits } from './wasm-module.ts'

/** Substrate's default number of heap pages when `:heappages` is absent. */
export const DEFAULT_HEAP_PAGES = 2048
const PAGE = 65536
const HEAPPAGES_KEY = utf8(':heappages')

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
}

export interface CallResult {
  output: Uint8Array
  changes: StorageChanges
  offchainIndex: [key: Uint8Array, value: Uint8Array | null][]
  logs: RuntimeLog[]
  /** State root after the call's changes (needs a backend holding the whole state). */
  stateRoot(version: StateVersion): Uint8Array
  /** The overlay, to chain further calls on the resulting state. */
  overlay: OverlayStorage
}

/** A compiled runtime, ready to be called any number of times. */
export class Runtime {
  private constructor(
    readonly codeHash: Uint8Array,
    readonly wasm: Uint8Array,
    private readonly module: WebAssembly.Module,
    private readonly memoryImport: MemoryLimits | undefined,
    private readonly unresolved: Set<string>,
    /** The version from the code's custom sections, when it has them. */
    readonly embeddedVersion: RuntimeVersion | undefined,
  ) {}

  private static cache = new Map<string, Runtime>()

  /** Decompresses and compiles `code` (cached per code hash). Throws ExecutorError. */
  static load(code: Uint8Array, opts: LoadOptions = {}): Runtime {
    const codeHash = blake2_256(code)
    const cacheKey = toHex(codeHash) + (opts.allowUnresolvedImports ? '+u' : '')
    const hit = opts.noCache ? undefined : Runtime.cache.get(cacheKey)
    if (hit) return hit
    let wasm: Uint8Array
    let embedded: RuntimeVersion | undefined
    try {
      wasm = decompressRuntimeCode(code, opts.maxCodeSize)
      embedded = readRuntimeVersionSections(wasm)
    } catch (e) {
      if (e instanceof RuntimeCodeError) throw new ExecutorError('InvalidCode', e.message)
      throw e
    }
    let module: WebAssembly.Module
    try {
      module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)
    } catch (e) {
      throw new ExecutorError('InvalidCode', `runtime does not compile: ${(e as Error).message}`)
    }
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
    const rt = new Runtime(codeHash, wasm, module, importedMemoryLimits(wasm), new Set(missing), embedded)
    if (!opts.noCache) Runtime.cache.set(cacheKey, rt)
    return rt
  }

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
    // Everything below __heap_base is the module's static data: snapshot it to restore after each call.
    return { ctx, instance, memory, heapBase, heapPages, snapshot: new Uint8Array(memory.buffer).slice(0, heapBase), busy: false }
  }

  /** Runs the exported function `method` with SCALE-encoded `args`. */
  call(method: string, args: Uint8Array = new Uint8Array(), opts: CallOptions = {}): CallResult {
    const backend = opts.storage ?? new MemoryStorage([])
    let heapPages = opts.heapPages
    if (heapPages === undefined) {
      const hp = backend.get(HEAPPAGES_KEY)
      heapPages = hp && hp.length === 8 ? Number(new Reader(hp).u64()) : DEFAULT_HEAP_PAGES
    }
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
      logs: [],
      maxLogLevel: opts.maxLogLevel ?? 3,
      batchResults: undefined,
      panicMessage: undefined,
    })
    inst.busy = true
    let ret: bigint
    try {
      const inPtr = alloc(ctx, args)
      ret = BigInt((fn as (p: number, l: number) => bigint | number)(inPtr, args.length))
    } catch (e) {
      // The instance's internal state (stack pointer, statics) is unknown after a failure: drop it.
      if (this.pooled === inst) this.pooled = undefined
      throw callError(e, ctx)
    }
    const outPtr = Number(ret & 0xffffffffn)
    const outLen = Number(ret >> 32n)
    const buf = new Uint8Array(inst.memory.buffer)
    if (outPtr + outLen > buf.length) throw new ExecutorError('Trap', `runtime returned an output outside its memory (${outPtr}+${outLen})`)
    const output = buf.slice(outPtr, outPtr + outLen)
    if (overlay.transactionDepth !== 0) throw new ExecutorError('Trap', 'runtime returned with storage transactions still open')
    // Restore the memory for the next call: static data from the snapshot, the used heap zeroed.
    buf.set(inst.snapshot, 0)
    buf.fill(0, inst.heapBase, Math.min(ctx.allocator.highWater, buf.length))
    inst.busy = false
    this.pooled = inst
    return {
      output,
      changes: overlay.changes(),
      offchainIndex: ctx.offchainIndex,
      logs: ctx.logs,
      stateRoot: (v) => overlay.root(v),
      overlay,
    }
  }

  /** The runtime's version: from its custom sections, else by executing `Core_version`. */
  version(): RuntimeVersion {
    return this.embeddedVersion ?? decodeRuntimeVersion(this.call('Core_version').output)
  }
}

interface PooledInstance {
  ctx: HostContext
  instance: WebAssembly.Instance
  memory: WebAssembly.Memory
  heapBase: number
  heapPages: number
  snapshot: Uint8Array
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

/** `ext_misc_runtime_version`: the encoded version of other code (undefined if it is not a runtime). */
function otherRuntimeVersion(code: Uint8Array): Uint8Array | undefined {
  try {
    return Runtime.load(code).call('Core_version').output
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
    logs: [],
    maxLogLevel: 0,
    batchResults: undefined,
    panicMessage: undefined,
    runtimeVersionOf: () => undefined,
  }
}
