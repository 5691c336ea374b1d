// An in-memory chain of authored or imported blocks with their states, served to peers through the
// ChainServer interface (headers, bodies, read/child-read/call proofs at every stored block). The
// SQLite store will implement the same surface. Pure data structure: no timers, no I/O.

import { bytesEqual, toHex } from '../codec/index.ts'
import { genesisHeader, type ChainSpec } from '../chain-spec/index.ts'
import { MemoryStorage } from '../executor/index.ts'
import { encodeHeader, headerHash, type Header } from '../header/index.ts'
import { encodeWarpProof } from '../finality/index.ts'
import type { StateVersion } from '../trie/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, StateProver, type BlockData, type BlockRequest, type ChainServer } from '../network/index.ts'
import type { Block } from './block-builder.ts'

interface Stored {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  state: MemoryStorage
  prover?: StateProver
}

export class DevChain implements ChainServer {
  readonly genesisHash: Uint8Array
  private readonly byHash = new Map<string, Stored>()
  private readonly canonical: Stored[] = []

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
    if (this.canonical.length > 0 && !bytesEqual(block.header.parentHash, this.canonical[this.canonical.length - 1].hash)) throw new Error('block does not extend the best block')
    this.byHash.set(toHex(hash), s)
    this.canonical.push(s)
    return hash
  }

  get bestBlock(): { header: Header; state: MemoryStorage; hash: Uint8Array } {
    return this.canonical[this.canonical.length - 1]
  }

  best() {
    const b = this.bestBlock
    return { number: b.header.number, hash: b.hash }
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
  warpProof(from: Uint8Array) {
    // No GRANDPA finality yet: nothing is finalized after genesis.
    return bytesEqual(from, this.genesisHash) ? encodeWarpProof({ fragments: [], isFinished: true }) : undefined
  }
}
