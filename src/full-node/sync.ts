// Block download for a full node (pure state machine, smoldot style: the caller pulls requests and
// reports responses). It tracks each peer's best block from handshakes and announces, asks one peer
// at a time per request for the blocks above our best block (or, level with the peer, above our
// finalized block, for the justifications of blocks we already hold), and checks a response's shape — every header decodes, hashes to the hash
// it came with, and links to the block below — before the caller verifies seals and executes. A peer
// whose response does not fit is reported so the caller can ban it. No I/O, no clock.

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
}

interface Peer {
  bestNumber: number
  bestHash: Uint8Array
  busy: boolean
}


export class BlockSync {
  private readonly peers = new Map<string, Peer>()
  private readonly inFlight = new Map<string, number>()

  constructor(private readonly chain: LocalChain) {}

  /** A peer's best block (from its handshake or an announce marked best). */
  peerBest(peer: string, number: number, hash: Uint8Array): void {
    const p = this.peers.get(peer)
    if (p) {
      if (number >= p.bestNumber) Object.assign(p, { bestNumber: number, bestHash: hash })
      return
    }
    if (this.peers.size >= MAX_PEERS) {
      // full: an idle peer that knows less than the newcomer makes room (the newcomer is dropped otherwise)
      let worst: [string, Peer] | undefined
      for (const e of this.peers) if (!e[1].busy && (!worst || e[1].bestNumber < worst[1].bestNumber)) worst = e
      if (!worst || worst[1].bestNumber >= number) return
      this.peerGone(worst[0])
    }
    this.peers.set(peer, { bestNumber: number, bestHash: hash, busy: false })
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
      const lacking = p.bestNumber > best
      // a peer at our height may still have the justifications of our unfinalized blocks
      const unfinalized = p.bestNumber >= best && best > fin && p.bestNumber > fin
      if (!lacking && !unfinalized) continue
      // above our best block when the peer has more; above the finalized one for justifications only (a
      // peer keeps few: set changes and every 512th, as Substrate — finality otherwise comes by commits)
      const from = lacking ? best + 1 : fin + 1
      const maxBlocks = Math.min(MAX_BLOCKS_PER_REQUEST, p.bestNumber - from + 1)
      if (maxBlocks <= 0) continue
      p.busy = true
      this.inFlight.set(id, from)
      return { peer: id, request: { fields: BLOCK_HEADER | BLOCK_BODY | BLOCK_JUSTIFICATION, from: { number: from }, direction: 'ascending', maxBlocks } }
    }
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
    const from = this.inFlight.get(peer)
    this.requestFailed(peer)
    if (from === undefined) return { ok: false, reason: 'unrequested block response' }
    const blocks: SyncedBlock[] = []
    let parent = this.chain.hashAt(from - 1)
    for (const [i, d] of data.entries()) {
      if (!d.header) return { ok: false, reason: 'block without the header we asked for' }
      let header: Header
      try {
        header = decodeHeader(d.header)
      } catch (e) {
        if (e instanceof DecodeError) return { ok: false, reason: `undecodable header: ${e.message}` }
        throw e
      }
      if (!bytesEqual(headerHash(header), d.hash)) return { ok: false, reason: 'header does not hash to its block hash' }
      if (header.number !== from + i) return { ok: false, reason: `block #${header.number} where #${from + i} was expected` }
      if (parent && !bytesEqual(header.parentHash, parent)) {
        // the first block may be on another fork than ours: not misbehaviour, but nothing to import here
        if (i === 0) return { ok: true, blocks: [] }
        return { ok: false, reason: `block #${header.number} does not extend the previous block` }
      }
      let justification: Uint8Array | undefined
      try {
        justification = grandpaJustificationOf(d)
      } catch {
        return { ok: false, reason: 'malformed justifications' }
      }
      blocks.push({ hash: d.hash, header, body: d.body ?? [], ...(justification ? { justification } : {}) })
      parent = d.hash
    }
    return { ok: true, blocks }
  }

  /** Peers and their best blocks (for status output). */
  peerCount(): number {
    return this.peers.size
  }
}

