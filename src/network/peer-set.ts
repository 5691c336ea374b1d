// The peers a host keeps trying to hold a block-announces substream with (pure: time is an argument).
// Boot nodes, peers saved in a database and peers the user or Kademlia found are slots keyed by peer id
// (or by address when it names none). A slot not connected is dialled when its back-off has passed: the
// back-off doubles with each failure, up to a few seconds for boot and saved peers (they are all a
// client knows when the network comes back: a restarted node, a laptop waking up) and a minute for
// discovered ones, which are forgotten after repeated failures. A lost connection is retried at once,
// unless it lasted less than `MIN_STABLE_MS`: a peer that accepts and drops us at once counts as a failure
// (back-off), never as a loop of instant re-dials.
// Bounded: discovered slots beyond `maxDiscovered` are not added.

export type PeerSlotKind = 'boot' | 'saved' | 'discovered'

interface Slot {
  key: string
  addr: string
  kind: PeerSlotKind
  failures: number
  nextAttemptMs: number
  dialing: boolean
  /** When the last successful handshake happened. */
  connectedAtMs: number | undefined
}

/** First retry after a failure (ms); doubles with each failure. */
const BASE_BACKOFF_MS = 500
/** Longest wait between two attempts at a boot or saved peer (ms). */
const MAX_BACKOFF_KNOWN_MS = 3_000
/** Longest wait between two attempts at a discovered peer (ms). */
const MAX_BACKOFF_DISCOVERED_MS = 60_000
/** A connection lost sooner than this after its handshake counts as a failed attempt. */
const MIN_STABLE_MS = 2_000
/** Failures in a row after which a discovered peer is forgotten. */
const MAX_DISCOVERED_FAILURES = 5

/** The peer id an address names (`/p2p/<id>`), else the address itself. */
export function peerKeyOf(addr: string): string {
  const m = /\/p2p\/([^/]+)/.exec(addr)
  return m ? m[1] : addr
}

export class PeerSet {
  private readonly slots = new Map<string, Slot>()
  constructor(private readonly maxDiscovered = 64) {}

  /** Adds a peer to keep connected (an existing slot keeps its state; a better kind upgrades it). */
  add(addr: string, kind: PeerSlotKind, nowMs: number): void {
    const key = peerKeyOf(addr)
    const s = this.slots.get(key)
    if (s) {
      if (kind !== 'discovered' && s.kind === 'discovered') Object.assign(s, { kind, addr })
      return
    }
    if (kind === 'discovered' && [...this.slots.values()].filter((x) => x.kind === 'discovered').length >= this.maxDiscovered) return
    this.slots.set(key, { key, addr, kind, failures: 0, nextAttemptMs: nowMs, dialing: false, connectedAtMs: undefined })
  }

  /**
   * The addresses to dial now: slots neither connected (`isConnected(key)`) nor banned nor being dialled,
   * whose back-off has passed. They are marked as being dialled until `succeeded` or `failed`.
   */
  due(nowMs: number, isConnected: (key: string) => boolean, isBanned: (key: string) => boolean): string[] {
    const out: string[] = []
    for (const s of this.slots.values()) {
      if (s.dialing || s.nextAttemptMs > nowMs || isBanned(s.key)) continue
      if (isConnected(s.key)) continue
      s.dialing = true
      out.push(s.addr)
    }
    return out
  }

  /**
   * A dial and handshake succeeded; a slot known by address only is keyed by the peer id from now on. Its
   * failures are forgotten once the connection has lasted (see `lost`).
   */
  succeeded(addr: string, peerId: string, nowMs: number): void {
    const s = this.slots.get(peerKeyOf(addr))
    if (!s) return
    s.dialing = false
    s.connectedAtMs = nowMs
    // connected, so not due; were it not announcing after all, it is not redialled in a loop
    s.nextAttemptMs = nowMs + BASE_BACKOFF_MS
    if (s.key !== peerId && !this.slots.has(peerId)) {
      this.slots.delete(s.key)
      s.key = peerId
      this.slots.set(peerId, s)
    }
  }

  failed(addr: string, nowMs: number): void {
    const s = this.slots.get(peerKeyOf(addr))
    if (!s) return
    s.dialing = false
    this.backOff(s, nowMs)
  }

  private backOff(s: Slot, nowMs: number): void {
    s.failures++
    if (s.kind === 'discovered' && s.failures >= MAX_DISCOVERED_FAILURES) {
      this.slots.delete(s.key)
      return
    }
    const cap = s.kind === 'discovered' ? MAX_BACKOFF_DISCOVERED_MS : MAX_BACKOFF_KNOWN_MS
    s.nextAttemptMs = nowMs + Math.min(cap, BASE_BACKOFF_MS * 2 ** (s.failures - 1))
  }

  /** A connected peer was lost: tried again at once if the connection had lasted, else after a back-off. */
  lost(key: string, nowMs: number): void {
    const s = this.slots.get(key)
    if (!s || s.dialing) return
    const lasted = s.connectedAtMs !== undefined && nowMs - s.connectedAtMs >= MIN_STABLE_MS
    s.connectedAtMs = undefined
    if (lasted) {
      s.failures = 0
      s.nextAttemptMs = nowMs
    } else this.backOff(s, nowMs)
  }

  /**
   * When the next slot falls due (ms), for a caller that sleeps until then: the earliest end of a back-off
   * (or of a ban, `bannedUntil(key)`, 0 when not banned) among slots neither connected nor being dialled;
   * undefined when none is waiting.
   */
  nextDueMs(isConnected: (key: string) => boolean, bannedUntil: (key: string) => number): number | undefined {
    let next: number | undefined
    for (const s of this.slots.values()) {
      if (s.dialing || isConnected(s.key)) continue
      const at = Math.max(s.nextAttemptMs, bannedUntil(s.key))
      if (at !== Infinity && (next === undefined || at < next)) next = at
    }
    return next
  }

  has(key: string): boolean {
    return this.slots.has(key)
  }

  get size(): number {
    return this.slots.size
  }
}
