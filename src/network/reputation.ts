// Peer reputation, as Substrate's peer store keeps it (pure: time is an argument). Each peer has an
// i32-range score; events move it (Substrate's values below), it decays toward zero by 1/200 per second,
// and a peer at or below the ban threshold (82% of i32::MIN) is banned. Timeouts and bad transactions
// lower the score; only an accumulation of them bans — unlike malformed data, which bans at once.

export interface ReputationChange {
  value: number
  reason: string
}

/** Substrate's reputation changes (sc-network-sync / sc-network-transactions `rep`). */
export const REP = {
  /** A request to the peer timed out (slow, not malicious). */
  TIMEOUT: { value: -(1 << 10), reason: 'Request timeout' },
  /** We refused the peer's request: over the protocol's size limit, or one substream too many at once. */
  REFUSED_REQUEST: { value: -(1 << 10), reason: 'Request refused' },
  /** The peer sent a transaction the runtime rejects. */
  BAD_TRANSACTION: { value: -(1 << 12), reason: 'Bad transaction' },
  /** The peer sent a GRANDPA vote or catch-up that cannot be right (bad signature, not a voter). */
  BAD_GRANDPA: { value: -(1 << 12), reason: 'Bad GRANDPA message' },
  /** The peer sent a transaction the runtime accepts. */
  GOOD_TRANSACTION: { value: 1 << 7, reason: 'Good transaction' },
} as const satisfies Record<string, ReputationChange>

export const BANNED_THRESHOLD = Math.trunc((82 * -(2 ** 31)) / 100)
const MIN = -(2 ** 31)
const MAX = 2 ** 31 - 1
/** Each second, the score moves toward zero by this fraction of itself (at least 1). */
const INVERSE_DECREMENT = 200

interface Entry {
  value: number
  atMs: number
}

export class PeerReputations {
  private readonly peers = new Map<string, Entry>()
  /** `maxPeers` bounds memory: the entries nearest to neutral are forgotten first. */
  constructor(private readonly maxPeers = 4096) {}

  private decayed(e: Entry, nowMs: number): number {
    let v = e.value
    const seconds = Math.max(0, Math.floor((nowMs - e.atMs) / 1000))
    for (let i = 0; i < seconds && v !== 0; i++) {
      const diff = Math.trunc(v / INVERSE_DECREMENT) || Math.sign(v)
      v -= diff
    }
    return v
  }

  get(peer: string, nowMs: number): number {
    const e = this.peers.get(peer)
    return e ? this.decayed(e, nowMs) : 0
  }

  /** Applies a change; returns the new score and whether the peer is now to be banned. */
  change(peer: string, change: ReputationChange, nowMs: number): { value: number; banned: boolean } {
    const e = this.peers.get(peer)
    const value = Math.min(MAX, Math.max(MIN, (e ? this.decayed(e, nowMs) : 0) + change.value))
    // whole seconds of decay already applied: keep the fractional second for next time
    const atMs = e ? e.atMs + Math.floor((nowMs - e.atMs) / 1000) * 1000 : nowMs
    this.peers.delete(peer)
    if (value !== 0) this.peers.set(peer, { value, atMs })
    if (this.peers.size > this.maxPeers) this.evict(nowMs)
    return { value, banned: value <= BANNED_THRESHOLD }
  }

  /** Forgets a peer (e.g. once banned: the ban itself is the memory). */
  forget(peer: string): void {
    this.peers.delete(peer)
  }

  get size(): number {
    return this.peers.size
  }

  private evict(nowMs: number): void {
    let best: string | undefined
    let bestAbs = Infinity
    for (const [p, e] of this.peers) {
      const a = Math.abs(this.decayed(e, nowMs))
      if (a < bestAbs) {
        bestAbs = a
        best = p
      }
    }
    if (best !== undefined) this.peers.delete(best)
  }
}
