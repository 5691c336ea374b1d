// Seeded randomness for tests: a small PRNG (mulberry32) whose seed comes from SUBLIGHT_SEED or the
// clock, and is named in every failure message that depends on it, so a failing run can be replayed.
export function seededRandom(label: string): { seed: number; next(): number; describe(): string } {
  const seed = Number(process.env.SUBLIGHT_SEED ?? Date.now() % 2 ** 31)
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { seed, next, describe: () => `${label}: replay with SUBLIGHT_SEED=${seed}` }
}
