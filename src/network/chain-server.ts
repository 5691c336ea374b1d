// What a node serves to peers, behind one small interface so the full node can later answer from its
// database: block data, read/child-read/call proofs, warp proofs. `GenesisChainServer` answers from a
// chain spec's genesis storage (the serving node before the full node exists). Pure: no I/O.

import { bytesEqual, concatBytes, utf8 } from '../codec/index.ts'
import { genesisHeader, genesisStorage, type ChainSpec } from '../chain-spec/index.ts'
import { HEAPPAGES_KEY, MemoryStorage, RecordingStorage, Runtime, heapPagesOf, type StorageAccessLog } from '../executor/index.ts'
import type { IsolatedExecutor } from '../executor/isolated.ts'
import { encodeHeader, headerHash, type Header } from '../header/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, MemoryTrie, encodeProof, type ProofQuery, type StateVersion } from '../trie/index.ts'
import { encodeWarpProof } from '../finality/index.ts'
import type { BlockData, BlockRequest } from './codec/index.ts'
import { BLOCK_BODY, BLOCK_HEADER } from './codec/index.ts'

export interface ChainServer {
  readonly genesisHash: Uint8Array
  best(): { number: number; hash: Uint8Array }
  /** The latest finalized block (genesis when the server knows no finality). */
  finalized?(): { number: number; hash: Uint8Array }
  /** Answers a sync/2 block request (bounded by `maxBlocks`). */
  blocks(req: BlockRequest, maxBlocks: number): BlockData[]
  /** SCALE storage proof for `keys` at `block`, or undefined when the block's state is unknown. */
  readProof(block: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined
  /**
   * Proof of `keys` in the default child trie `childKey` (the bare key, without
   * `:child_storage:default:`): the main-trie nodes down to the child root, then the child trie's nodes.
   */
  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined
  /**
   * Proof of the storage a runtime call touches, or undefined. May answer later (a server that runs the
   * call off its event loop, with a time limit): the host awaits it.
   */
  callProof(block: Uint8Array, method: string, args: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>
  /** SCALE warp-sync proof starting after the finalized block `from`. */
  warpProof(from: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>
}

const CODE = utf8(':code')

/**
 * Proofs over one block's whole state: read, child-read and call proofs. A call proof holds the nodes
 * of every key the call read or iterated (recorded with the executor's RecordingStorage) and nothing
 * else: like Substrate's `prove_execution`, the runtime code and heap pages are read before recording
 * starts, so `:code` and `:heappages` are in it only when the call itself reads them.
 */
export class StateProver {
  readonly root: Uint8Array
  private readonly top: MemoryTrie
  private readonly children = new Map<string, MemoryTrie>()

  constructor(
    private readonly storage: MemoryStorage,
    stateVersion: StateVersion,
  ) {
    // the state's persistent tries: a state the chain built on shares nearly every node with its parent,
    // hashes included, so a prover costs what its queries visit rather than hashing the whole state again
    const tries = storage.persistentTries()
    const childRoots: [Uint8Array, Uint8Array][] = []
    for (const [key, trie] of tries.children) {
      const t = new MemoryTrie(trie, stateVersion)
      this.children.set(String(key), t)
      childRoots.push([concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, key), t.root])
    }
    this.top = new MemoryTrie(tries.top.with(childRoots), stateVersion)
    this.root = this.top.root
  }

  /** Merkle value of the closest trie node at or below `key` (main trie, or a child trie); undefined when none. */
  closestDescendantMerkleValue(key: Uint8Array, childKey?: Uint8Array): Uint8Array | undefined {
    const trie = childKey ? this.children.get(String(childKey)) : this.top
    const r = trie?.closestDescendantMerkleValue(key)
    return r?.kind === 'found' ? r.merkleValue : undefined
  }

  readProof(keys: Uint8Array[]): Uint8Array {
    return encodeProof(this.top.proveKeys(keys))
  }

  readChildProof(childKey: Uint8Array, keys: Uint8Array[]): Uint8Array {
    const topNodes = this.top.proveKeys([concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey)])
    const child = this.children.get(String(childKey))
    return encodeProof(child ? [...topNodes, ...child.proveKeys(keys)] : topNodes)
  }

  /** Call proof, running the call here, on the caller's thread (no time limit). */
  callProof(method: string, args: Uint8Array): Uint8Array {
    const rec = new RecordingStorage(this.storage)
    try {
      Runtime.load(this.storage.get(CODE)!).call(method, args, { storage: rec, heapPages: this.heapPages })
    } catch {
      // a failing call is still proven: the caller re-executes and sees the same failure
    }
    return this.proofOfReads(rec.log)
  }

  /**
   * Call proof with the call run in `executor`'s worker thread under its time limit, so a peer's slow or
   * endless call never stalls the node (rejects with ExecutorError 'Timeout').
   */
  async callProofIsolated(method: string, args: Uint8Array, executor: IsolatedExecutor): Promise<Uint8Array> {
    const s = this.storage
    // the worker keeps recent states: a call at the next block sends that block's changes only
    const log = await executor.recordReads({ code: s.get(CODE)!, method, args, heapPages: this.heapPages, storage: s })
    return this.proofOfReads(log)
  }

  /** The heap pages calls at this state run with (read outside any recording, as Substrate does). */
  private get heapPages(): number {
    return heapPagesOf(this.storage.get(HEAPPAGES_KEY))
  }

  /** The nodes proving every key a call read or iterated, and nothing else. */
  private proofOfReads(log: StorageAccessLog): Uint8Array {
    const queries: ProofQuery[] = log.reads.map((key) => ({ kind: 'value', key }))
    for (const key of log.nextKeys) queries.push({ kind: 'nextKey', key })
    const nodes = this.top.prove(queries)
    for (const [ck, key] of log.childReads) nodes.push(...(this.children.get(String(ck))?.proveKeys([key]) ?? []))
    for (const [ck, key] of log.childNextKeys) nodes.push(...(this.children.get(String(ck))?.prove([{ kind: 'nextKey', key }]) ?? []))
    return encodeProof(nodes)
  }
}

/** Serves a chain at its genesis block only, from the spec's raw genesis storage. */
export class GenesisChainServer implements ChainServer {
  readonly genesisHash: Uint8Array
  readonly header: Header
  private readonly prover: StateProver

  /** `stateVersion` defaults to the genesis runtime's own (custom section, else `Core_version`). */
  constructor(spec: ChainSpec, stateVersion?: StateVersion) {
    if (spec.genesis.kind !== 'raw') throw new TypeError('the serving node needs a chain spec with raw genesis storage')
    this.header = genesisHeader(spec)
    this.genesisHash = headerHash(this.header)
    const storage = genesisStorage(spec.genesis)
    if (stateVersion === undefined) {
      stateVersion = Runtime.load(storage.get(CODE)!).version(storage).stateVersion ?? 0
    }
    this.prover = new StateProver(storage, stateVersion)
    if (!bytesEqual(this.prover.root, this.header.stateRoot)) throw new Error('genesis state root mismatch (wrong state version?)')
  }

  best() {
    return { number: 0, hash: this.genesisHash }
  }

  private isGenesis(block: Uint8Array): boolean {
    return bytesEqual(block, this.genesisHash)
  }

  blocks(req: BlockRequest, maxBlocks: number): BlockData[] {
    const start = 'hash' in req.from ? this.isGenesis(req.from.hash) : req.from.number === 0
    if (!start || maxBlocks < 1) return []
    const d: BlockData = { hash: this.genesisHash }
    if (req.fields & BLOCK_HEADER) d.header = encodeHeader(this.header)
    if (req.fields & BLOCK_BODY) d.body = []
    return [d]
  }

  readProof(block: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined {
    return this.isGenesis(block) ? this.prover.readProof(keys) : undefined
  }

  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined {
    return this.isGenesis(block) ? this.prover.readChildProof(childKey, keys) : undefined
  }

  callProof(block: Uint8Array, method: string, args: Uint8Array): Uint8Array | undefined {
    return this.isGenesis(block) ? this.prover.callProof(method, args) : undefined
  }

  warpProof(from: Uint8Array): Uint8Array | undefined {
    // Nothing is finalized after genesis: an empty, finished proof.
    return this.isGenesis(from) ? encodeWarpProof({ fragments: [], isFinished: true }) : undefined
  }
}
