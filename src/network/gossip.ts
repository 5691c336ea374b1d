// Our outbound notification substreams and what goes out on them (service layer, under the host): one
// block-announces, one transactions and one grandpa substream per peer, and Substrate's gossip rules —
// block announces to every peer; transactions to every peer but the one they came from; for GRANDPA, our
// neighbor packet whenever our state changes, commits only to peers whose latest neighbor packet names
// the same set and a lower finalized height, votes only to authorities. A latency injected on demand
// (`HostOptions.latencyMs`) delays all of it. The host opens the block-announces substreams (their
// handshakes can ban a peer) and reads every inbound substream; the neighbor packets it reads come here.

import type { Connection, Stream } from '@libp2p/interface'
import type { Header } from '../header/index.ts'
import { ROLE_AUTHORITY, encodeBlockAnnounce, encodeGrandpaCommit, encodeGrandpaNeighbor, encodeTransactions, frame } from './codec/index.ts'
import { REQUEST_TIMEOUT_MS } from './requests.ts'
import { firstFrame } from './substreams.ts'

/** What a GRANDPA commit is made of, as gossiped. */
export interface GossipedCommit {
  round: bigint
  targetHash: Uint8Array
  targetNumber: number
  precommits: { targetHash: Uint8Array; targetNumber: number; signature: Uint8Array; authorityId: Uint8Array }[]
}

export interface GossipOptions {
  /** Our roles byte (the handshake of transactions and grandpa substreams). */
  roles: number
  /** Delay before each message goes out (ms; 0: none). */
  latencyMs: number
  /** Our finalized height when a grandpa substream opens (its first neighbor packet). */
  finalizedNumber: () => number
  /** A peer's roles from its block-announces handshake (0: unknown). */
  rolesOf: (peer: string) => number
  log: (line: string) => void
}

export class Gossip {
  constructor(private readonly opts: GossipOptions) {}

  /** Our block-announces substream with each peer (opened by the host, after the handshakes). */
  readonly announces = new Map<string, Stream>()
  private readonly grandpa = new Map<string, Stream>()
  private readonly openingGrandpa = new Set<string>()
  private readonly transactions = new Map<string, Stream | 'opening'>()
  /** Our GRANDPA state as our neighbor packets tell it: the round, the set in force and our finalized height. */
  private grandpaState = { round: 1n, setId: 0n, finalizedHeight: 0 }
  /** Each peer's GRANDPA state from its latest neighbor packet (Substrate's gossip "view"). */
  private readonly views = new Map<string, { setId: bigint; finalizedHeight: number }>()

  /** Forgets a peer whose last connection is gone. */
  forget(peer: string): void {
    this.announces.delete(peer)
    this.grandpa.delete(peer)
    this.transactions.delete(peer)
    this.views.delete(peer)
  }

  /** Substreams held, by kind (tests check that they stay bounded under churn). */
  get sizes(): { announceStreams: number; grandpaStreams: number; txStreams: number } {
    return { announceStreams: this.announces.size, grandpaStreams: this.grandpa.size, txStreams: this.transactions.size }
  }

  /** A neighbor packet a peer sent us: its set and finalized height. */
  noteNeighbor(peer: string, view: { setId: bigint; finalizedHeight: number }): void {
    this.views.set(peer, { setId: view.setId, finalizedHeight: view.finalizedHeight })
  }

  /** A peer's finalized height, from its latest neighbor packet (undefined: none yet). */
  finalizedHeightOf(peer: string): number | undefined {
    return this.views.get(peer)?.finalizedHeight
  }

  /** Announces a new block on every block-announces substream; returns how many peers it went to. */
  announce(header: Header, isBest: boolean): number {
    const msg = frame(encodeBlockAnnounce({ header, isBest, data: undefined }))
    for (const [peer, s] of this.announces) this.send(s, msg, () => this.announces.delete(peer))
    return this.announces.size
  }

  /** Opens our transactions substream towards a peer (one per peer; roles byte as handshake both ways). */
  async openTransactions(conn: Connection, protocol: string): Promise<void> {
    const peer = conn.remotePeer.toString()
    if (this.transactions.has(peer)) return
    this.transactions.set(peer, 'opening')
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(Uint8Array.from([this.opts.roles])))
      await firstFrame(s, 64, REQUEST_TIMEOUT_MS)
      this.transactions.set(peer, s)
      s.addEventListener('close', () => this.transactions.delete(peer))
    } catch (e) {
      this.transactions.delete(peer)
      this.opts.log(`outbound transactions with ${peer}: ${(e as Error).message}`)
    }
  }

  /** Gossips transactions to every peer with an open transactions substream; returns those peers. */
  gossipTransactions(txs: readonly Uint8Array[], except?: string): string[] {
    if (txs.length === 0) return []
    const msg = frame(encodeTransactions(txs))
    const sent: string[] = []
    for (const [peer, s] of this.transactions) {
      if (s === 'opening' || peer === except) continue
      this.send(s, msg, () => this.transactions.delete(peer))
      sent.push(peer)
    }
    return sent
  }

  /** Opens our grandpa substream towards a peer, and sends our neighbor packet on it. */
  async openGrandpa(conn: Connection, protocol: string): Promise<void> {
    const peer = conn.remotePeer.toString()
    if (this.grandpa.has(peer) || this.openingGrandpa.has(peer)) return
    this.openingGrandpa.add(peer)
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(Uint8Array.from([this.opts.roles])))
      await firstFrame(s, 64, REQUEST_TIMEOUT_MS)
      const finalizedHeight = Math.max(this.grandpaState.finalizedHeight, this.opts.finalizedNumber())
      s.send(frame(encodeGrandpaNeighbor({ ...this.grandpaState, finalizedHeight })))
      this.grandpa.set(peer, s)
      s.addEventListener('close', () => {
        if (this.grandpa.get(peer) === s) this.grandpa.delete(peer)
      })
    } catch (e) {
      this.opts.log(`outbound grandpa with ${peer}: ${(e as Error).message}`)
    } finally {
      this.openingGrandpa.delete(peer)
    }
  }

  /**
   * Tells peers our GRANDPA state — the set in force and our finalized height — with a neighbor packet
   * when it changed. Substrate peers send a commit only to a peer whose neighbor packet names the
   * commit's set, so a light client that never said it moved to a new set gets no more commits.
   */
  announceGrandpaState(setId: bigint, finalizedHeight: number, round = this.grandpaState.round): void {
    const s = this.grandpaState
    if (s.setId === setId && s.finalizedHeight === finalizedHeight && s.round === round) return
    this.grandpaState = { round, setId, finalizedHeight }
    const neighbor = frame(encodeGrandpaNeighbor(this.grandpaState))
    for (const [peer, stream] of this.grandpa) this.sendGrandpa(peer, stream, neighbor)
  }

  /**
   * Gossips a finality commit of set `setId`, after a neighbor packet with our new finalized height. As
   * Substrate's gossip validator does, the commit goes only to peers whose latest neighbor packet names
   * the same set and a lower finalized height (a peer still on an older set cannot check it: smoldot
   * bans a peer for such a "bad justification").
   */
  gossipFinality(j: GossipedCommit, setId: bigint): void {
    this.announceGrandpaState(setId, j.targetNumber, j.round)
    const commit = frame(encodeGrandpaCommit({ ...j, setId }))
    for (const [peer, stream] of this.grandpa) {
      const view = this.views.get(peer) ?? { setId: 0n, finalizedHeight: 0 }
      if (view.setId === setId && view.finalizedHeight < j.targetNumber) this.sendGrandpa(peer, stream, commit)
    }
  }

  /**
   * Sends a GRANDPA message (a vote) to every peer whose handshake says it is an authority: the voters
   * of a network (light clients and full nodes follow finality by commits). Returns how many got it.
   */
  gossipToAuthorities(msg: Uint8Array): number {
    const framed = frame(msg)
    let sent = 0
    for (const [peer, stream] of this.grandpa) {
      if (!(this.opts.rolesOf(peer) & ROLE_AUTHORITY)) continue
      this.sendGrandpa(peer, stream, framed)
      sent++
    }
    return sent
  }

  /** Sends a GRANDPA message (a catch-up request or answer) to one peer; false without a substream to it. */
  sendGrandpaTo(peer: string, msg: Uint8Array): boolean {
    const stream = this.grandpa.get(peer)
    if (!stream) return false
    this.sendGrandpa(peer, stream, frame(msg))
    return true
  }

  private sendGrandpa(peer: string, s: Stream, msg: Uint8Array): void {
    this.send(s, msg, () => this.grandpa.delete(peer))
  }

  /** Sends a message on a notification substream, after the injected latency if any; `failed` when the stream is gone. */
  private send(s: Stream, msg: Uint8Array, failed: () => void): void {
    const go = () => {
      try {
        s.send(msg)
      } catch {
        failed()
      }
    }
    if (this.opts.latencyMs > 0) setTimeout(go, this.opts.latencyMs)
    else go()
  }
}
