// The node's chain: a tree of verified blocks above the finalized one, and the canonical chain from
// genesis to the best block, served to peers through the ChainServer interface (headers, bodies,
// justifications, read/child-read/call proofs). Every block that extends a known one with state is
// kept (a fork too); the best block is chosen by the consensus rule — the most BABE primary blocks,
// then the longest chain, the first seen winning a tie (Aura chains have no primaries: longest chain) —
// and a better fork reorganizes the canonical chain. Finality prunes every fork that does not contain
// the finalized block. State is kept for every non-finalized block and a window of finalized ones.
// Optionally backed by a BlockStore (SQLite): the canonical chain is written there first, in one
// transaction per change, and `DevChain.open` restores it (forks live in memory only: peers have them).
// With a store, only the last MEMORY_STATES finalized states stay in memory; older ones in the kept
// window are rebuilt from the database when asked for (`stateOf`), and canonical blocks more than
// HOT_BLOCKS below the finalized one keep only hash and weight in memory (the rest is read back when
// asked for). Without a store it is a pure in-memory structure holding the whole window. Warp proofs and
// which justifications are served are worked out over the finalized chain in `finality-proofs.ts`; read
// and call proofs of the states it holds are made in `state-proofs.ts`.

import { Writer, toHex, utf8 } from '../codec/index.ts'
import { genesisHeader, genesisStorage, type ChainSpec } from '../chain-spec/index.ts'
import { MemoryStorage } from '../executor/index.ts'
import { BABE_ENGINE, decodeBabePreDigest, encodeHeader, headerHash, type Header } from '../header/index.ts'
import type { StateVersion } from '../trie/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, type BlockData, type BlockRequest, type ChainServer } from '../network/index.ts'
import { applyChanges, type Block } from './block-builder.ts'
import { BlockStore, ColdBlock, diffStates } from './store.ts'
import { FinalityProofs } from './finality-proofs.ts'
import { StateProofs } from './state-proofs.ts'
import { stateVersionAt } from './runtime-apis.ts'

/**
 * A block as the chain hands it out; `state` is undefined once out of memory (below the finalized block:
 * `DevChain.stateOf` still rebuilds it from the database while it is in the kept window).
 */
export interface ChainBlock {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  state: MemoryStorage | undefined
}

interface Stored {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  state: MemoryStorage | undefined
  /** SCALE GRANDPA justification, when this block was finalized with one. */
  justification?: Uint8Array
  /** State version of its state root (its parent's runtime); found lazily for blocks loaded from disk. */
  stateVersion?: StateVersion
  /** Fork-choice weight of the chain up to it: its BABE primary blocks. */
  weight: number
}

/**
 * Canonical blocks this far below the finalized one keep only their hash and fork-choice weight in
 * memory when the chain is stored: header, body and justification are read back from the database when
 * asked for (a peer syncing old blocks, a warp proof). Without it a node grew by ~10 KiB a block.
 */
export const HOT_BLOCKS = 64

/** What the chain reports, in order: every new block (parents first), best-block changes, finality. */
export type DevChainEvent =
  | {
      kind: 'block'
      header: Header
      hash: Uint8Array
      /** It is the new best block. */
      best: boolean
      /** When it became best by a reorg: the blocks that left the canonical chain (highest first) and those that joined it (lowest first, ending with this one, or with its best descendant). */
      reorg?: { retracted: ChainBlock[]; enacted: ChainBlock[] }
    }
  | { kind: 'best'; header: Header; hash: Uint8Array; reorg: { retracted: ChainBlock[]; enacted: ChainBlock[] } }
  | { kind: 'finalized'; header: Header; hash: Uint8Array; previous: number; pruned: Uint8Array[] }

/** One BABE primary block weighs 1 in fork choice; secondary blocks and Aura blocks 0. */
function primaryWeight(header: Header): number {
  for (const d of header.digest) {
    if (d.type !== 'preRuntime' || d.engine !== BABE_ENGINE) continue
    try {
      return decodeBabePreDigest(d.payload).kind === 'primary' ? 1 : 0
    } catch {
      return 0
    }
  }
  return 0
}

/**
 * Bytes of headers, bodies and justifications one block response carries at most (Substrate's
 * `MAX_BODY_BYTES`): past it the response ends early (never before its first block), well within the
 * 16 MiB a peer accepts, and the peer asks again from where it stopped.
 */
const MAX_BLOCK_RESPONSE_BYTES = 8 * 1024 * 1024

/**
 * Finalized states a stored chain keeps in memory (the rest of its window is rebuilt from SQLite on
 * demand): a state's own layer is ~12 KiB on node-template, so 256 of them grew a serving node by 3 MiB.
 */
export const MEMORY_STATES = 32

/** States rebuilt from the database kept (most recently used): a peer reading an old block asks again. */
const REBUILT_KEPT = 2

/** The genesis state of a spec with raw genesis storage. */
export function genesisState(spec: ChainSpec): MemoryStorage {
  if (spec.genesis.kind !== 'raw') throw new TypeError('a dev chain needs raw genesis storage')
  return genesisStorage(spec.genesis)
}

export class DevChain implements ChainServer {
  readonly genesisHash: Uint8Array
  private readonly byHash = new Map<string, Stored>()
  private readonly canonical: Stored[] = []
  /** Blocks above the finalized one that are not canonical (forks), by hex hash. */
  private readonly side = new Map<string, Stored>()
  private finalizedNumber = 0
  private readonly listeners = new Set<(e: DevChainEvent) => void>()
  /** Reorganizations of the canonical chain so far, and fork blocks seen (status output). */
  reorgs = 0
  forkBlocks = 0

  /** Calls `fn` for every new block, best-block change and finality; returns the unsubscribe. */
  onEvent(fn: (e: DevChainEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  private emit(e: DevChainEvent): void {
    for (const fn of this.listeners) fn(e)
  }

  /** A stored block by hash, or undefined. */
  block(hash: Uint8Array): ChainBlock | undefined {
    return this.find(hash)
  }
  /** The canonical block at `number`, or undefined. */
  blockAt(number: number): ChainBlock | undefined {
    return this.canonical[number]
  }

  /** A chain in memory, starting at the spec's genesis. */
  constructor(
    spec: ChainSpec,
    private readonly store?: BlockStore,
    /** Finalized blocks whose state is kept below the finalized one (like Substrate's default pruning). */
    private readonly keepStates = 256,
    /** With a store: finalized canonical blocks kept in memory whole below the finalized one. */
    private readonly hotBlocks = HOT_BLOCKS,
  ) {
    this.memoryStates = store ? Math.min(keepStates, MEMORY_STATES) : keepStates
    if (spec.genesis.kind !== 'raw') throw new TypeError('a dev chain needs raw genesis storage')
    const header = genesisHeader(spec)
    this.genesisHash = headerHash(header)
    if (store) {
      const { blocks, finalizedNumber, coldBelow } = store.load(hotBlocks)
      for (const b of blocks) {
        const parent = this.canonical[this.canonical.length - 1]
        const weight = (parent?.weight ?? 0) + primaryWeight(b.header)
        const n = b.header.number
        const s: Stored = b.body === undefined ? new ColdBlock(b.hash, weight, n, store) : { hash: b.hash, header: b.header, body: b.body, state: undefined, weight, ...(b.justification ? { justification: b.justification } : {}) }
        this.byHash.set(toHex(b.hash), s)
        this.canonical.push(s)
      }
      this.coldBelow = coldBelow
      this.finalizedNumber = finalizedNumber
      // the oldest state kept in memory in full, later ones by applying each block's changes
      const from = Math.max(0, finalizedNumber - this.memoryStates)
      let state = store.stateAt(from)
      this.canonical[from].state = state
      for (let n = from + 1; n < this.canonical.length; n++) this.canonical[n].state = state = applyChanges(state, store.diffAt(n))
      const best = this.canonical[this.canonical.length - 1]
      store.verifyState(best.header, best.state!, this.stateVersionOf(best))
      return
    }
    this.add({ header, body: [] }, genesisState(spec))
  }

  /**
   * The chain stored at `path` (SQLite), created with the genesis when new. Throws StoreError for a
   * database of another chain or a damaged one.
   */
  static open(spec: ChainSpec, path: string, keepStates = 256, hotBlocks = HOT_BLOCKS): DevChain {
    if (spec.genesis.kind !== 'raw') throw new TypeError('a dev chain needs raw genesis storage')
    const store = BlockStore.open(path, { header: genesisHeader(spec), state: genesisState(spec) })
    try {
      return new DevChain(spec, store, keepStates, hotBlocks)
    } catch (e) {
      store.close()
      throw e
    }
  }

  /** Closes the database, if any. */
  close(): void {
    this.store?.close()
    this.proofs.close()
  }

  /**
   * Adds a block (already verified and executed) whose parent is known, with state, and not below the
   * finalized block; it becomes best when the fork-choice rule prefers it (a reorg when it does not
   * extend the best block). Persisted first when stored. Adding a known block does nothing.
   */
  add(block: Block, state: MemoryStorage): Uint8Array {
    const hash = headerHash(block.header)
    const known = this.find(hash)
    if (known) return known.hash
    const best = this.canonical[this.canonical.length - 1]
    if (!best) {
      // genesis
      const g: Stored = { hash, header: block.header, body: block.body, state, stateVersion: stateVersionAt(state), weight: 0 }
      this.byHash.set(toHex(hash), g)
      this.canonical.push(g)
      return hash
    }
    const parent = this.find(block.header.parentHash)
    if (!parent?.state) throw new Error(`block #${block.header.number}: its parent is not known with its state`)
    if (block.header.number !== parent.header.number + 1) throw new Error(`block #${block.header.number} on #${parent.header.number}`)
    if (block.header.number <= this.finalizedNumber) throw new Error(`block #${block.header.number} is not above the finalized #${this.finalizedNumber}`)
    const s: Stored = { hash, header: block.header, body: block.body, state, stateVersion: stateVersionAt(parent.state), weight: parent.weight + primaryWeight(block.header) }
    if (parent === best) {
      this.store?.setCanonical(s.header.number, [{ block: { hash, header: s.header, body: s.body }, diff: diffStates(parent.state, state) }])
      this.byHash.set(toHex(hash), s)
      this.canonical.push(s)
      this.emit({ kind: 'block', header: s.header, hash, best: true })
      return hash
    }
    this.byHash.set(toHex(hash), s)
    this.side.set(toHex(hash), s)
    this.forkBlocks++
    if (!this.better(s, best)) {
      this.emit({ kind: 'block', header: s.header, hash, best: false })
      return hash
    }
    const reorg = this.reorgTo(s)
    this.emit({ kind: 'block', header: s.header, hash, best: true, reorg })
    return hash
  }

  /** The fork-choice rule: more BABE primaries, then a longer chain; a tie keeps the first seen. */
  private better(a: Stored, b: Stored): boolean {
    return a.weight !== b.weight ? a.weight > b.weight : a.header.number > b.header.number
  }

  /** Makes `head` (a known block above the finalized one) the best block: the canonical chain is rewritten down to the common ancestor. */
  private reorgTo(head: Stored): { retracted: ChainBlock[]; enacted: ChainBlock[] } {
    const enacted: Stored[] = []
    let cur = head
    while (this.canonical[cur.header.number] !== cur) {
      enacted.unshift(cur)
      cur = this.find(cur.header.parentHash)!
    }
    const ancestor = cur.header.number
    if (ancestor < this.finalizedNumber) throw new Error('a reorg cannot go below the finalized block')
    const retracted = this.canonical.slice(ancestor + 1).reverse()
    this.store?.setCanonical(
      ancestor + 1,
      enacted.map((b) => ({ block: { hash: b.hash, header: b.header, body: b.body }, diff: diffStates(this.find(b.header.parentHash)!.state!, b.state!) })),
    )
    this.canonical.length = ancestor + 1
    for (const b of retracted) this.side.set(toHex(b.hash), b)
    for (const b of enacted) {
      this.side.delete(toHex(b.hash))
      this.canonical.push(b)
    }
    this.reorgs++
    return { retracted, enacted }
  }

  /** Blocks above the finalized one that are not canonical (forks). */
  forks(): ChainBlock[] {
    return [...this.side.values()]
  }

  /** Whether `hash` is `ancestor` or one of its descendants (both known). */
  descends(hash: Uint8Array, ancestor: Uint8Array): boolean {
    const a = this.find(ancestor)
    let cur = this.find(hash)
    if (!a) return false
    while (cur && cur.header.number > a.header.number) cur = this.find(cur.header.parentHash)
    return cur === a
  }

  /** The canonical headers after genesis up to the best block, oldest first (replaying a stored chain). */
  *headers(): Generator<Header> {
    for (let n = 1; n < this.canonical.length; n++) yield this.canonical[n].header
  }

  /** The best block; its state is always kept. */
  get bestBlock(): ChainBlock & { state: MemoryStorage } {
    return this.canonical[this.canonical.length - 1] as ChainBlock & { state: MemoryStorage }
  }

  best() {
    const b = this.bestBlock
    return { number: b.header.number, hash: b.hash }
  }

  finalized(): { number: number; hash: Uint8Array; header: Header } {
    const f = this.canonical[this.finalizedNumber]
    return { number: this.finalizedNumber, hash: f.hash, header: f.header }
  }

  /**
   * Marks a block final, keeping its justification (verified by the caller; none for a parachain, final
   * through its relay chain). A block off the canonical
   * chain first becomes canonical, with the best of its descendants as the best block (a reorg); then
   * every fork that does not contain it is pruned.
   */
  finalize(hash: Uint8Array, justification?: Uint8Array): void {
    const s = this.find(hash)
    if (!s) throw new Error('unknown block')
    if (s.header.number < this.finalizedNumber) throw new Error('finality cannot go backwards')
    if (this.canonical[s.header.number] !== s) {
      if (s.header.number === this.finalizedNumber) throw new Error('a block conflicting with the finalized one cannot be finalized')
      let head = s
      for (const b of this.side.values()) if (this.better(b, head) && this.descends(b.hash, s.hash)) head = b
      const reorg = this.reorgTo(head)
      this.emit({ kind: 'best', header: head.header, hash: head.hash, reorg })
    }
    const previous = this.finalizedNumber
    const keepFrom = Math.max(0, s.header.number - this.keepStates)
    this.store?.finalize(hash, justification, keepFrom)
    if (justification) s.justification = justification
    // states older than the in-memory window leave memory (headers, bodies and justifications stay; with a
    // store, those still in its window can be rebuilt)
    const memoryFrom = Math.max(0, s.header.number - this.memoryStates)
    for (let n = Math.max(0, this.finalizedNumber - this.memoryStates); n < memoryFrom; n++) this.canonical[n].state = undefined
    for (const key of [...this.rebuilt.keys()]) if (this.rebuilt.get(key)!.number < keepFrom) this.rebuilt.delete(key)
    // finalized states below the new finalized block are read, never built on: their root caches go
    for (let n = Math.max(memoryFrom, this.finalizedNumber); n < s.header.number; n++) this.canonical[n].state?.forgetTries()
    this.finalizedNumber = s.header.number
    if (this.store) this.coolDown(this.store)
    // forks that do not contain the finalized block are gone
    const pruned: Uint8Array[] = []
    for (const [key, b] of this.side) {
      if (b.header.number > s.header.number && this.descends(b.hash, s.hash)) continue
      this.side.delete(key)
      this.byHash.delete(key)
      pruned.push(b.hash)
    }
    this.emit({ kind: 'finalized', header: s.header, hash: s.hash, previous, pruned })
  }

  /** Canonical blocks from `coldBelow` up (genesis aside) still hold their data in memory. */
  private coldBelow = 1
  /** Turns the canonical blocks more than `hotBlocks` below the finalized one into ColdBlocks. */
  private coolDown(store: BlockStore): void {
    const to = this.finalizedNumber - this.hotBlocks
    for (let n = this.coldBelow; n < to; n++) {
      const b = this.canonical[n]
      const cold = new ColdBlock(b.hash, b.weight, n, store)
      if (b.stateVersion !== undefined) cold.stateVersion = b.stateVersion
      this.canonical[n] = cold
      this.byHash.set(toHex(b.hash), cold)
    }
    this.coldBelow = Math.max(this.coldBelow, to)
  }

  /** The GRANDPA justification stored with a block, if it was finalized with one. */
  justification(hash: Uint8Array): Uint8Array | undefined {
    return this.find(hash)?.justification
  }

  /**
   * The block's justification if it is one Substrate keeps (a set change, or every JUSTIFICATION_PERIOD
   * blocks): what `chain_getBlock` reports and peers are sent, as a Substrate node does.
   */
  keptJustification(hash: Uint8Array): Uint8Array | undefined {
    const s = this.find(hash)
    return s?.justification && this.keepsJustification(s) ? s.justification : undefined
  }

  private find(hash: Uint8Array): Stored | undefined {
    return this.byHash.get(toHex(hash))
  }

  /**
   * The state of a known block: in memory, or — a canonical finalized block still in the kept window of a
   * stored chain — rebuilt from the database (tens of ms; the last few rebuilt are kept). Undefined when
   * it was pruned for good.
   */
  stateOf(hash: Uint8Array): MemoryStorage | undefined {
    const s = this.find(hash)
    return s && this.stateOfStored(s)
  }
  /** Whether a known block's state can be had (as `stateOf` would give it), without rebuilding it. */
  hasStateOf(hash: Uint8Array): boolean {
    const s = this.find(hash)
    return s !== undefined && this.hasState(s)
  }
  /** Whether a block's state can be had: in memory, or in the database's window (canonical, finalized). */
  private hasState(s: Stored): boolean {
    const n = s.header.number
    return s.state !== undefined || (this.store !== undefined && this.canonical[n] === s && n >= this.finalizedNumber - this.keepStates)
  }
  private stateOfStored(s: Stored): MemoryStorage | undefined {
    if (s.state) return s.state
    if (!this.hasState(s)) return undefined
    const n = s.header.number
    const key = toHex(s.hash)
    const kept = this.rebuilt.get(key)
    this.rebuilt.delete(key)
    const state = kept?.state ?? this.store!.stateAt(n)
    this.rebuilt.set(key, { number: n, state })
    if (this.rebuilt.size > REBUILT_KEPT) this.rebuilt.delete(this.rebuilt.keys().next().value!)
    return state
  }
  private readonly rebuilt = new Map<string, { number: number; state: MemoryStorage }>()
  private readonly memoryStates: number

  blocks(req: BlockRequest, maxBlocks: number): BlockData[] {
    let cur = 'hash' in req.from ? this.find(req.from.hash) : this.canonical[req.from.number]
    const out: BlockData[] = []
    let bytes = 0
    while (cur && out.length < maxBlocks) {
      const d: BlockData = { hash: cur.hash }
      if (req.fields & BLOCK_HEADER) d.header = encodeHeader(cur.header)
      if (req.fields & BLOCK_BODY) d.body = cur.body
      if (req.fields & BLOCK_JUSTIFICATION && cur.justification && this.keepsJustification(cur)) {
        // as Substrate answers: every engine's SCALE `Justifications` (Vec<(ConsensusEngineId, bytes)>) to a
        // peer that supports them, else GRANDPA's alone in the legacy field
        if (req.supportMultipleJustifications) d.justifications = new Writer(cur.justification.length + 16).compact(1).bytes(utf8('FRNK')).vecU8(cur.justification).finish()
        else d.justification = cur.justification
      }
      const size = (d.header?.length ?? 0) + (d.body?.reduce((n, x) => n + x.length, 0) ?? 0) + (d.justifications?.length ?? d.justification?.length ?? 0)
      if (out.length > 0 && bytes + size > MAX_BLOCK_RESPONSE_BYTES) break
      bytes += size
      out.push(d)
      cur = req.direction === 'ascending' ? this.canonical[cur.header.number + 1] : this.find(cur.header.parentHash)
    }
    return out
  }

  /** Whether a block's justification is one Substrate keeps and serves (see `FinalityProofs.keeps`). */
  private keepsJustification(s: Stored): boolean {
    return this.canonical[s.header.number] === s && this.finalityProofs.keeps(s.header.number)
  }

  /**
   * The state version of a block's state root: that of the runtime which executed it, found in its
   * parent's state (its own state's runtime for genesis, or when the parent's state is pruned).
   */
  private stateVersionOf(s: Stored): StateVersion {
    if (s.stateVersion === undefined) {
      const parent = s.header.number > 0 ? this.canonical[s.header.number - 1] : undefined
      const state = (parent && this.stateOfStored(parent)) ?? this.stateOfStored(s)
      if (!state) throw new Error(`no state to read the runtime of #${s.header.number} from`)
      s.stateVersion = stateVersionAt(state)
    }
    return s.stateVersion
  }

  /** Merkle value of the closest descendant of `key` at a block with state (undefined: none, or no state). */
  closestDescendantMerkleValue(block: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Uint8Array | undefined {
    return this.proofs.closestDescendantMerkleValue(block, key, childKey)
  }
  readProof(block: Uint8Array, keys: Uint8Array[]) {
    return this.proofs.readProof(block, keys)
  }
  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]) {
    return this.proofs.readChildProof(block, childKey, keys)
  }
  /** A peer's call proof, made in a worker thread under a time limit (see `StateProofs.callProof`). */
  callProof(block: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array | undefined> {
    return this.proofs.callProof(block, method, args)
  }
  /** Proofs of the states of blocks that have one, for peers. */
  private readonly proofs = new StateProofs({
    stateFor: (block) => {
      const s = this.find(block)
      if (!s || !this.hasState(s)) return undefined
      return { key: toHex(s.hash), state: () => this.stateOfStored(s)!, version: () => this.stateVersionOf(s) }
    },
  })
  /** Warp proofs and kept justifications, over the finalized canonical chain. */
  private readonly finalityProofs = new FinalityProofs({
    finalizedNumber: () => this.finalizedNumber,
    canonical: (n) => this.canonical[n],
  })
  /**
   * The size a warp proof response stays under (Substrate's 8 MiB). Tests lower it to have proofs cut in
   * several responses (`isFinished: false`) without authoring tens of thousands of set changes.
   */
  get warpProofLimit(): number {
    return this.finalityProofs.limit
  }
  set warpProofLimit(bytes: number) {
    this.finalityProofs.limit = bytes
  }
  /** A warp proof from a finalized canonical block the peer knows (see `FinalityProofs.warpProof`). */
  warpProof(from: Uint8Array): Uint8Array | undefined {
    const start = this.find(from)
    if (!start || start.header.number > this.finalizedNumber || this.canonical[start.header.number] !== start) return undefined
    return this.finalityProofs.warpProof(start.header.number)
  }
}
