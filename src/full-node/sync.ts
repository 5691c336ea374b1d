// Block download for a full node (pure state machine, smoldot style: the caller pulls requests and
// reports responses). It tracks each peer's best block (handshakes, announces) and finalized height
// (GRANDPA neighbor packets) and asks one peer at a time per request: the blocks above our best block
// when the peer is ahead on our chain (ascending by number); the chain down from the peer's best block
// when that block is unknown to us and close (descending by hash: a fork, or an announce a few blocks
// ahead), deeper each time the blocks received do not reach one we hold; above our finalized block when
// the peer's chain split from ours long ago, or when the peer has finalized more than we have (for
// justifications). A response's shape is checked — every header decodes, hashes to the hash it came
// with, and links to its neighbour — before the caller verifies seals and executes. A peer whose
// response does not fit is reported so the caller can ban it. No I/O, no clock.

import { DecodeError, bytesEqual } from '../codec/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import type { BlockData, BlockRequest } from '../network/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, grandpaJustificationOf } from '../network/index.ts'

/** Blocks asked for in one request (Substrate serves at most 128). */
export const MAX_BLOCKS_PER_REQUEST = 128
/** Peers tracked at once. */
export const MAX_SYNC_PEERS = 256
const MAX_PEERS = MAX_SYNC_PEERS

export interface SyncedBlock {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  /** The GRANDPA justification (engine `FRNK`), when the peer sent one. */
  justification?: Uint8Array
}

export type SyncResponse = { ok: true; blocks: SyncedBlock[] } | { ok: false; reason: string }

/** What the machine needs to know about our own chain. */
export interface LocalChain {
  best(): { number: number; hash: Uint8Array }
  finalizedNumber(): number
  hashAt(number: number): Uint8Array | undefined
  /** Whether the block is held (on any fork). */
  has(hash: Uint8Array): boolean
}

interface Peer {
  bestNumber: number
  bestHash: Uint8Array
  busy: boolean
  /** Finalized height from its latest neighbor packet. */
  finalized?: number
  /** Its chain split from ours below our best block: ask from our finalized block (ascending) or down from its best (descending). */
  forked: boolean
  /** Blocks to ask for next time down from its best block (grows when they do not reach ours). */
  depth: number
}

type InFlight = { direction: 'ascending'; from: number } | { direction: 'descending'; from: Uint8Array; maxBlocks: number }

export class BlockSync {
  private readonly peers = new Map<string, Peer>()
  private readonly inFlight = new Map<string, InFlight>()

  constructor(private readonly chain: LocalChain) {}

  /** A peer's best block (from its handshake or an announce marked best). */
  peerBest(peer: string, number: number, hash: Uint8Array): void {
    const p = this.peers.get(peer)
    if (p) {
      if (number >= p.bestNumber || p.forked) Object.assign(p, { bestNumber: number, bestHash: hash, depth: 1 })
      return
    }
    if (this.peers.size >= MAX_PEERS) {
      // full: an idle peer that knows less than the newcomer makes room (the newcomer is dropped otherwise)
      let worst: [string, Peer] | undefined
      for (const e of this.peers) if (!e[1].busy && (!worst || e[1].bestNumber < worst[1].bestNumber)) worst = e
      if (!worst || worst[1].bestNumber >= number) return
      this.peerGone(worst[0])
    }
    this.peers.set(peer, { bestNumber: number, bestHash: hash, busy: false, forked: false, depth: 1 })
  }

  /** A peer's finalized height (its GRANDPA neighbor packet). */
  peerFinalized(peer: string, number: number): void {
    const p = this.peers.get(peer)
    if (p) p.finalized = number
  }

  peerGone(peer: string): void {
    this.peers.delete(peer)
    this.inFlight.delete(peer)
  }

  /** Highest best block any peer reported. */
  get highestPeerBlock(): number {
    let n = 0
    for (const p of this.peers.values()) n = Math.max(n, p.bestNumber)
    return n
  }

  /** The next request to start, if a free peer knows blocks we lack; the peer is busy until its response. */
  nextRequest(): { peer: string; request: BlockRequest } | undefined {
    const best = this.chain.best().number
    const fin = this.chain.finalizedNumber()
    for (const [id, p] of this.peers) {
      if (p.busy) continue
      const request = this.requestFor(p, best, fin)
      if (!request) continue
      p.busy = true
      this.inFlight.set(id, request.direction === 'ascending' ? { direction: 'ascending', from: (request.from as { number: number }).number } : { direction: 'descending', from: (request.from as { hash: Uint8Array }).hash, maxBlocks: request.maxBlocks })
      return { peer: id, request }
    }
    return undefined
  }

  private requestFor(p: Peer, best: number, fin: number): BlockRequest | undefined {
    const fields = BLOCK_HEADER | BLOCK_BODY | BLOCK_JUSTIFICATION
    const ascending = (from: number): BlockRequest | undefined => {
      const maxBlocks = Math.min(MAX_BLOCKS_PER_REQUEST, p.bestNumber - from + 1)
      return maxBlocks > 0 ? { fields, from: { number: from }, direction: 'ascending', maxBlocks } : undefined
    }
    if (p.bestNumber <= fin) return undefined
    if (!this.chain.has(p.bestHash)) {
      // ahead of us on our chain, as far as we know: the blocks above our best one
      if (!p.forked && p.bestNumber > best) return ascending(best + 1)
      // a fork, or a block announced on one: down from its best block, as deep as needed so far
      if (p.bestNumber - fin <= MAX_BLOCKS_PER_REQUEST || !p.forked) {
        const maxBlocks = Math.min(MAX_BLOCKS_PER_REQUEST, p.bestNumber - fin, Math.max(p.depth, p.bestNumber - best + 1))
        return { fields, from: { hash: p.bestHash }, direction: 'descending', maxBlocks }
      }
      // split long ago: its chain from our finalized block up
      return ascending(fin + 1)
    }
    // we hold its best block: it may still have justifications of our unfinalized blocks (a peer keeps
    // few: set changes and every 512th, as Substrate — finality otherwise comes by commits)
    if (p.finalized !== undefined && p.finalized > fin && best > fin) return ascending(fin + 1)
    return undefined
  }

  /** A request failed without the peer misbehaving (timeout, closed stream): the peer is free again. */
  requestFailed(peer: string): void {
    const p = this.peers.get(peer)
    if (p) p.busy = false
    this.inFlight.delete(peer)
  }

  /** Checks a response; `ok: false` means the peer sent something that cannot be right. */
  onResponse(peer: string, data: readonly BlockData[]): SyncResponse {
    const req = this.inFlight.get(peer)
    this.requestFailed(peer)
    if (req === undefined) return { ok: false, reason: 'unrequested block response' }
    const p = this.peers.get(peer)
    const blocks: SyncedBlock[] = []
    for (const d of data) {
      if (!d.header) return { ok: false, reason: 'block without the header we asked for' }
      let header: Header
      try {
        header = decodeHeader(d.header)
      } catch (e) {
        if (e instanceof DecodeError) return { ok: false, reason: `undecodable header: ${e.message}` }
        throw e
      }
      if (!bytesEqual(headerHash(header), d.hash)) return { ok: false, reason: 'header does not hash to its block hash' }
      let justification: Uint8Array | undefined
      try {
        justification = grandpaJustificationOf(d)
      } catch {
        return { ok: false, reason: 'malformed justifications' }
      }
      blocks.push({ hash: d.hash, header, body: d.body ?? [], ...(justification ? { justification } : {}) })
    }
    if (req.direction === 'ascending') {
      const parent = this.chain.hashAt(req.from - 1)
      for (const [i, b] of blocks.entries()) {
        if (b.header.number !== req.from + i) return { ok: false, reason: `block #${b.header.number} where #${req.from + i} was expected` }
        const below = i === 0 ? parent : blocks[i - 1].hash
        if (below && !bytesEqual(b.header.parentHash, below)) {
          // the first block may be on another fork than ours: not misbehaviour; its chain is asked from
          // our finalized block (or down from its best) next time
          if (i === 0) {
            if (p) p.forked = true
            return { ok: true, blocks: [] }
          }
          return { ok: false, reason: `block #${b.header.number} does not extend the previous block` }
        }
      }
      if (p && req.from === this.chain.finalizedNumber() + 1 && blocks.length) p.forked = false
      return { ok: true, blocks }
    }
    // descending: the requested block first, each the parent of the one before
    if (blocks.length === 0) return { ok: true, blocks: [] }
    if (!bytesEqual(blocks[0].hash, req.from)) return { ok: false, reason: 'the response does not start at the requested block' }
    if (blocks.length > req.maxBlocks) return { ok: false, reason: `${blocks.length} blocks where ${req.maxBlocks} were asked for` }
    for (let i = 1; i < blocks.length; i++) {
      if (!bytesEqual(blocks[i - 1].header.parentHash, blocks[i].hash) || blocks[i].header.number !== blocks[i - 1].header.number - 1) return { ok: false, reason: `block #${blocks[i].header.number} is not the parent of the block before it` }
    }
    blocks.reverse()
    // keep what links to a block we hold; deeper next time when nothing does
    const first = blocks.findIndex((b) => !this.chain.has(b.hash) && this.chain.has(b.header.parentHash))
    if (first < 0) {
      if (p) {
        p.depth = Math.min(MAX_BLOCKS_PER_REQUEST, Math.max(p.depth, blocks.length) * 4)
        p.forked = true
      }
      return { ok: true, blocks: [] }
    }
    return { ok: true, blocks: blocks.slice(first) }
  }

  /** Peers and their best blocks (for status output). */
  peerCount(): number {
    return this.peers.size
  }
}
