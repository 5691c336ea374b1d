// Who the host talks to, and who it refuses (service layer over the pure `PeerSet` and
// `PeerReputations`): the slots to keep connected (boot, saved, discovered peers) dialled when due,
// Kademlia lookups while below the target of peers, bans (time-limited), reputations that lead to bans,
// and the partitions injected on demand.
//
// Nothing polls: one timer is armed for the next thing due — a slot's back-off ending, a ban ending for a
// slot that waits on it, the next lookup — and re-armed whenever the peer set changes (a dial ends, a
// connection is lost, a peer is banned, a partition heals). An idle client with its peers connected
// wakes only for lookups (every 5 s, doubling up to a minute while they find nobody new).

import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import type { PeerId } from '@libp2p/interface'
import { PeerSet, type PeerSlotKind } from './peer-set.ts'
import { PeerReputations, type ReputationChange } from './reputation.ts'
import type { FoundPeer } from './kad-lookup.ts'

/** Bans remembered at once (expired ones are dropped at every lookup round). */
const MAX_BANS = 10_000
/** Longest wait between two Kademlia lookups that keep finding nobody new (ms). */
const MAX_LOOKUP_GAP_MS = 60_000
/** The timer never fires sooner than this after it is armed (ms): no busy loop, whatever the slots say. */
const MIN_WAKE_MS = 20
/** The longest delay a timer takes. */
const MAX_DELAY_MS = 2 ** 31 - 1

export interface PeeringOptions {
  /** How long a misbehaving peer stays banned (ms, default 5 minutes). */
  banMs?: number
  /** Peers to keep connected: below it, Kademlia is asked for more (default 8). */
  targetPeers?: number
  /** Interval of the lookups while below `targetPeers` (ms, default 5000). */
  peerSetIntervalMs?: number
  /** Which multiaddrs may be dialled at all. */
  dialFilter?: (addr: string) => boolean
  log?: (line: string) => void
}

/** What `Peering` needs from the host it serves. */
export interface PeeringLink {
  libp2p: Libp2p
  /** Opens our block-announces substream with a peer; resolves to its peer id. */
  handshakeWith(addr: Multiaddr): Promise<{ peerId: string }>
  /** Whether we hold a block-announces substream and handshake with the peer. */
  isAnnouncing(peer: string): boolean
  /** How many peers we hold a block-announces handshake with. */
  announcingCount(): number
  /** A peer was banned or partitioned away: the host forgets what it knew of it. */
  dropped(peer: string): void
  /**
   * Peers Kademlia knows close to `key`, with their addresses (multiaddr strings): a full node's iterative
   * lookup, or a light client's question to one peer. May throw (no peer to ask, no answer).
   */
  closestPeers(key: Uint8Array, signal: AbortSignal): AsyncIterable<FoundPeer>
}

export class Peering {
  private readonly banned = new Map<string, number>()
  private readonly reputations = new PeerReputations()
  private readonly slots = new PeerSet()
  private readonly partitioned = new Set<string>()
  private allowOnly: Set<string> | undefined
  private link: PeeringLink | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private lookupGapMs: number
  private nextLookupAt = Infinity
  private looking = false
  private stopped = false

  constructor(private readonly opts: PeeringOptions) {
    this.lookupGapMs = opts.peerSetIntervalMs ?? 5000
  }

  /** Starts dialling and looking up, for the host behind `link`. */
  start(link: PeeringLink): void {
    this.link = link
    this.nextLookupAt = Date.now() + this.lookupGapMs
    this.dialDue()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Whether a peer may not connect now: banned, or cut off by a partition. */
  isBanned(peer: string): boolean {
    if (this.allowOnly && !this.allowOnly.has(peer)) return true
    return (this.banned.get(peer) ?? 0) > Date.now()
  }

  /** Drops and bans a misbehaving peer for `ms` (default: `banMs`, 5 minutes). */
  ban(peer: PeerId, why: string, ms = this.opts.banMs ?? 5 * 60_000): void {
    const id = peer.toString()
    this.banned.set(id, Date.now() + ms)
    if (this.banned.size > MAX_BANS) this.pruneBans()
    this.reputations.forget(id)
    this.link?.dropped(id)
    this.opts.log?.(`banned ${id}: ${why}`)
    void this.link?.libp2p.hangUp(peer).catch(() => {})
    this.arm()
  }

  /** Moves a peer's reputation (Substrate's `report_peer`); the peer is banned once it falls too low. */
  reportPeer(peerId: string, change: ReputationChange): number {
    const r = this.reputations.change(peerId, change, Date.now())
    if (r.banned && !this.isBanned(peerId)) this.ban(peerIdFromString(peerId), `reputation ${r.value} (last: ${change.reason})`)
    return r.value
  }

  /** A peer's current reputation (0 = neutral). */
  reputation(peerId: string): number {
    return this.reputations.get(peerId, Date.now())
  }

  /**
   * Keeps a block-announces substream with the peer at `addr`: dialled now, and again with back-off
   * whenever it is not connected. The caller has checked that `addr` is a multiaddr.
   */
  keepConnected(addr: string, kind: PeerSlotKind): void {
    this.slots.add(addr, kind, Date.now())
    this.dialDue()
  }

  /** A peer's block-announces substream or last connection is gone: its slot is dialled again when due. */
  lost(peer: string): void {
    this.slots.lost(peer, Date.now())
    this.dialDue()
  }

  /**
   * Cuts us off from `peers` (`mode` 'allow': from every peer *not* listed) until `heal` or the next
   * `partition`: connections closed, dials and incoming connections refused. Throws on a malformed peer id.
   */
  partition(peers: readonly string[], mode: 'block' | 'allow'): void {
    const ids = peers.map((p) => peerIdFromString(p))
    this.heal()
    if (mode === 'allow') this.allowOnly = new Set(peers)
    else
      for (const p of peers) {
        this.partitioned.add(p)
        this.banned.set(p, Number.MAX_SAFE_INTEGER)
      }
    const libp2p = this.link?.libp2p
    const cut = mode === 'allow' ? (libp2p?.getPeers() ?? []).filter((p) => !this.allowOnly!.has(p.toString())) : ids
    for (const id of cut) {
      this.link?.dropped(id.toString())
      void libp2p?.hangUp(id).catch(() => {})
    }
    this.opts.log?.(mode === 'allow' ? `partitioned from every peer but ${peers.join(', ') || 'none'}` : `partitioned from ${peers.join(', ')}`)
  }

  /** Ends a partition: the peers may connect again (boot nodes and known peers are dialled again). */
  heal(): void {
    for (const p of this.partitioned) this.banned.delete(p)
    if (this.partitioned.size || this.allowOnly) this.opts.log?.('partition healed')
    this.partitioned.clear()
    this.allowOnly = undefined
    this.dialDue()
  }

  /** A Kademlia lookup when below the target of peers; resolves to whether it found a peer we did not know. */
  async lookUp(): Promise<boolean> {
    const link = this.link
    if (!link || this.looking || this.stopped) return false
    this.looking = true
    try {
      const announcing = link.announcingCount()
      const target = this.opts.targetPeers ?? 8
      if (announcing >= target || link.libp2p.getPeers().length === 0) return true
      const key = crypto.getRandomValues(new Uint8Array(32))
      const self = link.libp2p.peerId.toString()
      let added = 0
      for await (const peer of link.closestPeers(key, AbortSignal.timeout(4000))) {
        const id = peer.id
        if (id === self || this.slots.has(id) || this.isBanned(id)) continue
        const addr = peer.addrs.find((a) => !this.opts.dialFilter || this.opts.dialFilter(a))
        if (!addr) continue
        this.slots.add(addr.includes('/p2p/') ? addr : `${addr}/p2p/${id}`, 'discovered', Date.now())
        if (announcing + ++added >= target) break
      }
      if (added) this.dialDue()
      return added > 0
    } catch {
      // lookups fail while the routing table is empty; the next round retries
      return false
    } finally {
      this.looking = false
    }
  }

  /** What it keeps, for tests that check it stays bounded. */
  get sizes(): { bans: number; reputations: number } {
    return { bans: this.banned.size, reputations: this.reputations.size }
  }

  /** When the timer is next armed for (ms since the epoch; Infinity: not armed), for tests. */
  get nextWakeAt(): number {
    return this.timerAt
  }

  /** How many times the timer has fired, for tests. */
  get wakeUps(): number {
    return this.wakes
  }
  private wakes = 0

  /** Dials the slots that are due (not connected, back-off passed, not banned), then re-arms the timer. */
  private dialDue(): void {
    const link = this.link
    if (!link || this.stopped) return
    for (const addr of this.slots.due(Date.now(), (k) => link.isAnnouncing(k), (k) => this.isBanned(k))) {
      link.handshakeWith(multiaddr(addr)).then(
        (hs) => {
          this.slots.succeeded(addr, hs.peerId, Date.now())
          this.arm()
        },
        (e) => {
          this.slots.failed(addr, Date.now())
          this.opts.log?.(`peer ${addr}: ${(e as Error).message}`)
          this.dialDue()
        },
      )
    }
    this.arm()
  }

  /** Arms the one timer for the next slot due or the next lookup, whichever comes first. */
  private arm(): void {
    const link = this.link
    if (!link || this.stopped) return
    const slotDue = this.slots.nextDueMs((k) => link.isAnnouncing(k), (k) => this.bannedUntil(k))
    const due = Math.min(slotDue ?? Infinity, this.nextLookupAt)
    // nothing due (all connected, a lookup running): the lookup's end or a change in the set re-arms it
    if (due === Infinity) return
    const at = Math.max(Date.now() + MIN_WAKE_MS, due)
    if (this.timer && this.timerAt <= at) return
    clearTimeout(this.timer)
    this.timerAt = at
    // (a far-off ban end: setTimeout takes at most 2^31 - 1 ms, a longer delay would fire at once)
    this.timer = setTimeout(() => this.wake(), Math.min(at - Date.now(), MAX_DELAY_MS))
    this.timer.unref?.()
  }

  private wake(): void {
    this.wakes++
    this.timer = undefined
    this.timerAt = Infinity
    if (this.stopped) return
    if (Date.now() >= this.nextLookupAt) {
      // no second lookup while one runs: the next is scheduled when it ends
      this.nextLookupAt = Infinity
      this.pruneBans()
      const base = this.opts.peerSetIntervalMs ?? 5000
      void this.lookUp().then((found) => {
        // a lookup that finds nobody new waits twice as long for the next (up to a minute): a light client
        // on a small network is not kept busy asking the same peers every 5 s
        this.lookupGapMs = found ? base : Math.min(this.lookupGapMs * 2, Math.max(base, MAX_LOOKUP_GAP_MS))
        this.nextLookupAt = Date.now() + this.lookupGapMs
        this.arm()
      })
    }
    this.dialDue()
  }

  /** When a peer's ban ends (0: not banned; Infinity: partitioned away until healed). */
  private bannedUntil(peer: string): number {
    if (this.allowOnly && !this.allowOnly.has(peer)) return Infinity
    const until = this.banned.get(peer) ?? 0
    return until === Number.MAX_SAFE_INTEGER ? Infinity : until
  }

  /** Drops expired bans; past `MAX_BANS`, the ones ending soonest go first. */
  private pruneBans(): void {
    const now = Date.now()
    for (const [p, until] of this.banned) if (until <= now) this.banned.delete(p)
    if (this.banned.size > MAX_BANS) {
      const soonest = [...this.banned].sort((a, b) => a[1] - b[1]).slice(0, this.banned.size - MAX_BANS)
      for (const [p] of soonest) this.banned.delete(p)
    }
  }
}
