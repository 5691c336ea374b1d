// An in-memory chain of authored or imported blocks with their states, served to peers through the
// ChainServer interface (headers, bodies, read/child-read/call proofs at every stored block). The
// SQLite store will implement the same surface. Pure data structure: no timers, no I/O.

import { Writer, toHex, utf8 } from '../codec/index.ts'
import { genesisHeader, type ChainSpec } from '../chain-spec/index.ts'
import { MemoryStorage } from '../executor/index.ts'
import { encodeHeader, headerHash, type Header } from '../header/index.ts'
import { decodeJustification, encodeWarpProof } from '../finality/index.ts'
import type { StateVersion } from '../trie/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, StateProver, type BlockData, type BlockRequest, type ChainServer } from '../network/index.ts'
import type { Block } from './block-builder.ts'

interface Stored {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  state: MemoryStorage
  prover?: StateProver
  /** SCALE GRANDPA justification, when this block was finalized with one. */
  justification?: Uint8Array
}

export class DevChain implements ChainServer {
  readonly genesisHash: Uint8Array
  private readonly byHash = new Map<string, Stored>()
  private readonly canonical: Stored[] = []
  private finalizedNumber = 0
  private readonly listeners = new Set<(e: { kind: 'block' | 'finalized'; header: Header; hash: Uint8Array }) => void>()

  /** Calls `fn` for every new best block and every newly finalized block; returns the unsubscribe. */
  onEvent(fn: (e: { kind: 'block' | 'finalized'; header: Header; hash: Uint8Array }) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  private emit(kind: 'block' | 'finalized', s: { header: Header; hash: Uint8Array }): void {
    for (const fn of this.listeners) fn({ kind, header: s.header, hash: s.hash })
  }

  /** A stored block by hash, or undefined. */
  block(hash: Uint8Array): { header: Header; body: Uint8Array[]; state: MemoryStorage; hash: Uint8Array } | undefined {
    return this.find(hash)
  }
  /** The canonical block at `number`, or undefined. */
  blockAt(number: number): { header: Header; body: Uint8Array[]; state: MemoryStorage; hash: Uint8Array } | undefined {
    return this.canonical[number]
  }

  constructor(
    spec: ChainSpec,
    private readonly stateVersion: StateVersion = 0,
  ) {
    if (spec.genesis.kind !== 'raw') throw new TypeError('a dev chain needs raw genesis storage')
    const header = genesisHeader(spec)
    this.genesisHash = headerHash(header)
    const state = new MemoryStorage(spec.genesis.top, spec.genesis.childrenDefault.map((c) => [c.childKey, c.entries] as const))
    this.add({ header, body: [] }, state)
  }

  /** Adds a block (already verified/executed) on top of the canonical chain. */
  add(block: Block, state: MemoryStorage): Uint8Array {
    const hash = headerHash(block.header)
    const s: Stored = { hash, header: block.header, body: block.body, state }
    if (this.canonical.length > 0 && toHex(block.header.parentHash) !== toHex(this.canonical[this.canonical.length - 1].hash)) throw new Error('block does not extend the best block')
    this.byHash.set(toHex(hash), s)
    this.canonical.push(s)
    this.emit('block', s)
    return hash
  }

  get bestBlock(): { header: Header; body: Uint8Array[]; state: MemoryStorage; hash: Uint8Array } {
    return this.canonical[this.canonical.length - 1]
  }

  best() {
    const b = this.bestBlock
    return { number: b.header.number, hash: b.hash }
  }

  finalized(): { number: number; hash: Uint8Array; header: Header } {
    const f = this.canonical[this.finalizedNumber]
    return { number: this.finalizedNumber, hash: f.hash, header: f.header }
  }

  /** Marks a canonical block final, keeping its justification (verified by the caller). */
  finalize(hash: Uint8Array, justification: Uint8Array): void {
    const s = this.find(hash)
    if (!s || this.canonical[s.header.number] !== s) throw new Error('only canonical blocks can be finalized')
    if (s.header.number < this.finalizedNumber) throw new Error('finality cannot go backwards')
    s.justification = justification
    this.finalizedNumber = s.header.number
    this.emit('finalized', s)
  }

  private find(hash: Uint8Array): Stored | undefined {
    return this.byHash.get(toHex(hash))
  }

  blocks(req: BlockRequest, maxBlocks: number): BlockData[] {
    let cur = 'hash' in req.from ? this.find(req.from.hash) : this.canonical[req.from.number]
    const out: BlockData[] = []
    while (cur && out.length < maxBlocks) {
      const d: BlockData = { hash: cur.hash }
      if (req.fields & BLOCK_HEADER) d.header = encodeHeader(cur.header)
      if (req.fields & BLOCK_BODY) d.body = cur.body
      if (req.fields & BLOCK_JUSTIFICATION && cur.justification) {
        d.justification = cur.justification
        // SCALE Justifications: Vec<(ConsensusEngineId, EncodedJustification)>
        d.justifications = new Writer(cur.justification.length + 16).compact(1).bytes(utf8('FRNK')).vecU8(cur.justification).finish()
      }
      out.push(d)
      cur = req.direction === 'ascending' ? this.canonical[cur.header.number + 1] : this.find(cur.header.parentHash)
    }
    return out
  }

  private prover(block: Uint8Array): StateProver | undefined {
    const s = this.find(block)
    if (!s) return undefined
    s.prover ??= new StateProver(s.state, this.stateVersion)
    return s.prover
  }

  readProof(block: Uint8Array, keys: Uint8Array[]) {
    return this.prover(block)?.readProof(keys)
  }
  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]) {
    return this.prover(block)?.readChildProof(childKey, keys)
  }
  callProof(block: Uint8Array, method: string, args: Uint8Array) {
    return this.prover(block)?.callProof(method, args)
  }
  /**
   * Warp proof from a finalized block the peer knows: the authority set never changes on this devnet,
   * so one fragment — the latest finalized block and its justification — carries the peer there.
   */
  warpProof(from: Uint8Array) {
    const start = this.find(from)
    if (!start || start.header.number > this.finalizedNumber || this.canonical[start.header.number] !== start) return undefined
    const fin = this.canonical[this.finalizedNumber]
    if (fin === start || !fin.justification) return encodeWarpProof({ fragments: [], isFinished: true })
    return encodeWarpProof({ fragments: [{ header: fin.header, justification: decodeJustification(fin.justification) }], isFinished: true })
  }
}
