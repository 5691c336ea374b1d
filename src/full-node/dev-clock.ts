// Time for a devnet's authoring loop. The wall clock; an accelerated one (tests: slots come faster); and a
// shared-history clock: a network of nodes started together authors past epochs fast, each node its own
// claims, because every node maps real time to the same past slots. Pure functions of `Date.now()`.

/** Time for the authoring loop: `now()` in ms, and how long to really wait for `ms` of that time. */
export interface DevClock {
  now(): number
  realMs(ms: number): number
  /** Real time (ms) before which nothing is authored (the shared history's start). */
  readonly startsAt?: number
}

export const WALL_CLOCK: DevClock = { now: () => Date.now(), realMs: (ms) => ms }

/** A clock running `factor` times faster than the wall clock from `origin` on (tests, benchmarks). */
export function acceleratedClock(factor: number, origin = Date.now()): DevClock {
  return { now: () => origin + (Date.now() - origin) * factor, realMs: (ms) => ms / factor }
}

/** What a shared history covers: `epochs` epochs of `epochSlots` slots, before `startsAt` (real ms). */
export interface SharedHistory {
  startsAt: number
  epochs: number
  epochSlots: bigint
  slotMs: bigint
  /** Slots authored in each past epoch (its first ones). */
  slotsPerEpoch: number
  /** Real time per past slot. */
  intervalMs: number
}

/**
 * From `startsAt` on, one past slot every `intervalMs`: the first `slotsPerEpoch` slots of each of the
 * `epochs` epochs ending at `startsAt`'s slot, then the wall clock. Its time never runs ahead of the
 * wall clock (past blocks are never from the future for any verifier) and never goes back. Every node
 * given the same history reads the same slot at the same moment.
 */
export function sharedHistoryClock(h: SharedHistory): DevClock {
  const slotMs = Number(h.slotMs)
  const firstSlot = BigInt(Math.floor(h.startsAt / slotMs)) - BigInt(h.epochs) * h.epochSlots
  const pastSlots = h.epochs * h.slotsPerEpoch
  const inHistory = (t: number) => t < h.startsAt + pastSlots * h.intervalMs
  return {
    startsAt: h.startsAt,
    now() {
      const t = Date.now()
      if (!inHistory(t)) return t
      const elapsed = Math.max(0, t - h.startsAt)
      const i = Math.floor(elapsed / h.intervalMs)
      const slot = firstSlot + BigInt(Math.floor(i / h.slotsPerEpoch)) * h.epochSlots + BigInt(i % h.slotsPerEpoch)
      return Number(slot) * slotMs + ((elapsed % h.intervalMs) * slotMs) / h.intervalMs
    },
    realMs: (ms) => (inHistory(Date.now()) ? (ms * h.intervalMs) / slotMs : ms),
  }
}
