// The light client's runtime service (service: asks peers through the storage and network services):
// the runtime of every known block — its `:code` and `:heappages`, read together by one proof at the
// nearest block at or below it whose header changed the runtime (or the block the view starts from) and
// compiled once per code hash, off the event loop — and runtime calls over peers' call proofs, run with
// that runtime's heap pages (a Substrate call proof never holds `:heappages`, nor `:code`). A proof
// lacking what a call read means "ask another peer", never misbehaviour.
// smoldot's equivalent is `light-base/src/runtime_service.rs`.

import { fromHex, toHex, utf8 } from '../codec/index.ts'
import { HEAPPAGES_KEY, MissingStorageError, ProofStorage, Runtime, decodeRuntimeVersion, heapPagesOf, type RuntimeVersion } from '../executor/index.ts'
import { decodeProof } from '../trie/index.ts'
import { ChainAccessError } from '../json-rpc/index.ts'
import type { NetworkService } from './network-service.ts'
import type { BlockLookup } from './known-blocks.ts'
import type { BlockAt, ProvenStorage } from './storage.ts'

export const CODE = utf8(':code')
/** Blocks whose runtime (code and heap pages) is kept: a chain has one or two live, each warp or upgrade adds one. */
const MAX_RUNTIMES = 8

/**
 * A block's runtime: its compiled `:code` and the `:heappages` read with it. Calls over a peer's call
 * proof run with these heap pages: a Substrate call proof never holds `:heappages` (nor `:code`).
 */
export interface BlockRuntime {
  runtime: Runtime
  heapPages: number
  /** The `:code` value it was compiled from (kept for the finalized database). */
  code: Uint8Array
}

/**
 * Compiles a block's `:code` (decompressed in slices and compiled off the event loop; `Runtime` keeps
 * compiled runtimes by code hash, so a code is compiled once) with the heap pages its `:heappages` sets.
 */
export async function loadBlockRuntime(code: Uint8Array, heapPages: Uint8Array | number | undefined): Promise<BlockRuntime> {
  return { runtime: await Runtime.loadAsync(code), heapPages: typeof heapPages === 'number' ? heapPages : heapPagesOf(heapPages), code }
}

/**
 * Runs runtime calls over call proofs away from the event loop, with a time limit — the platform's (a
 * worker thread on Node.js: `platform/node-call-runner.ts`); without one, calls run in this thread.
 */
export interface CallRunner {
  /** Compiles `code` ahead of its first call (when a runtime is fetched); errors are the calls' to report. */
  prepare(code: Uint8Array): void
  /** The call's output; ExecutorError from the runtime (or 'Timeout'), MissingStorageError when the proof lacks a key. */
  call(req: { code: Uint8Array; method: string; args: Uint8Array; stateRoot: Uint8Array; nodes: Uint8Array[]; heapPages: number }): Promise<Uint8Array>
  close(): Promise<void>
}

export class RuntimeService {
  /** Runtimes by the hash of the block whose state holds their code. */
  private readonly runtimes = new Map<string, BlockRuntime>()
  /** Runtime downloads in progress, by the block whose `:code` they fetch. */
  private readonly loads = new Map<string, Promise<BlockRuntime>>()

  constructor(
    private readonly net: NetworkService,
    private readonly storage: ProvenStorage,
    private readonly blocks: BlockLookup,
    private readonly log: (level: number, message: string) => void,
    private readonly runner?: CallRunner,
  ) {}

  /** Records a runtime known without the network (genesis, a database) for the block holding its code. */
  seed(hash: Uint8Array, rt: BlockRuntime): void {
    this.keep(toHex(hash), rt)
  }

  /** The runtime of a known block, when already loaded (what the database saves). */
  loaded(hash: Uint8Array): BlockRuntime | undefined {
    const from = this.blocks.runtimeFrom(hash)
    return from === undefined ? undefined : this.runtimes.get(from)
  }

  /**
   * The runtime in force at a known block: the nearest block at or below it whose header changed the
   * runtime, or the start. Requests for a runtime already on its way share the download.
   */
  async runtimeAt(hash: Uint8Array): Promise<BlockRuntime> {
    const key = this.blocks.runtimeFrom(hash)
    if (!key) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    const cached = this.runtimes.get(key)
    if (cached) return cached
    const rt = await this.fetch(this.storage.block(fromHex(key)))
    this.keep(key, rt)
    return rt
  }

  /** Runtimes kept by block; the oldest is dropped past MAX_RUNTIMES (fetched again if asked for). */
  private keep(key: string, rt: BlockRuntime): void {
    if (!this.runtimes.has(key)) this.runner?.prepare(rt.code)
    this.runtimes.delete(key)
    this.runtimes.set(key, rt)
    if (this.runtimes.size > MAX_RUNTIMES) this.runtimes.delete(this.runtimes.keys().next().value!)
  }

  /** Downloads and compiles the runtime whose `:code` is in `at`'s state (a block not yet in the view: a warp target). */
  fetch(at: BlockAt): Promise<BlockRuntime> {
    const key = toHex(at.hash)
    let loading = this.loads.get(key)
    if (!loading) {
      loading = (async () => {
        const { view } = await this.storage.read(at, [CODE, HEAPPAGES_KEY])
        const code = view.get(CODE)
        const pages = view.get(HEAPPAGES_KEY)
        if (code.kind !== 'value') throw new ChainAccessError(`the block ${key} has no runtime code`)
        return loadBlockRuntime(code.value, pages.kind === 'value' ? pages.value : undefined)
      })().finally(() => this.loads.delete(key))
      this.loads.set(key, loading)
    }
    return loading
  }

  /** Runs `method` at a known block on a call proof from a peer; the output, or an ExecutorError from the runtime. */
  async call(hash: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array> {
    const at = this.storage.block(hash)
    return this.callWith(at, await this.runtimeAt(hash), method, args)
  }

  /** Runs `method` at `at` with runtime `rt`, over the genesis state or a peer's call proof. */
  async callWith(at: BlockAt, rt: BlockRuntime, method: string, args: Uint8Array): Promise<Uint8Array> {
    const { hash, header } = at
    const state = this.storage.local(hash)
    if (state) return rt.runtime.call(method, args, { storage: state, heapPages: rt.heapPages }).output
    return this.net.withPeers({ hash, number: header.number }, 'call', async (peer) => {
      const proof = await this.net.host.requestProof(peer, { kind: 'call', block: hash, method, data: args })
      if (!proof) return undefined
      let storage: ProofStorage
      let nodes: Uint8Array[]
      try {
        nodes = decodeProof(proof)
        storage = new ProofStorage(header.stateRoot, nodes)
      } catch (e) {
        this.net.ban(peer, `bad call proof: ${(e as Error).message}`)
        throw e
      }
      try {
        if (this.runner) return await this.runner.call({ code: rt.code, method, args, stateRoot: header.stateRoot, nodes, heapPages: rt.heapPages })
        return rt.runtime.call(method, args, { storage, heapPages: rt.heapPages }).output
      } catch (e) {
        // a proof lacking what the call reads: this peer could not answer (it may not hold that state, or
        // prove it differently), not misbehaviour: the next peer is asked. The runtime's own failure on a
        // complete proof is the answer, whoever proved it.
        if (e instanceof MissingStorageError) {
          this.log(3, `call proof from ${peer} lacks ${toHex(e.key)}: asking another peer`)
          return undefined
        }
        throw e
      }
    })
  }

  async runtimeVersion(hash: Uint8Array): Promise<RuntimeVersion> {
    const { runtime: rt } = await this.runtimeAt(hash)
    return rt.embeddedVersion ?? decodeRuntimeVersion(await this.call(hash, 'Core_version', new Uint8Array()))
  }
}
