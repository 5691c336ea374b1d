// Benchmark helpers: time a function over repeated runs (median of N after warm-up) and print a
// side-by-side row with the reference and the ratio sublight/reference.

export function timeMedian(fn: () => unknown, runs = 7, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn()
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    fn()
    xs.push(performance.now() - t)
  }
  xs.sort((a, b) => a - b)
  return xs[Math.floor(xs.length / 2)]
}

export async function timeMedianAsync(fn: () => Promise<unknown>, runs = 7, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    xs.push(performance.now() - t)
  }
  xs.sort((a, b) => a - b)
  return xs[Math.floor(xs.length / 2)]
}

/** Prints `name  sublight X ms  reference Y ms  ratio R×`. */
export function row(name: string, oursMs: number, refMs: number): void {
  console.log(`${name.padEnd(44)} sublight ${oursMs.toFixed(2).padStart(9)} ms   reference ${refMs.toFixed(2).padStart(9)} ms   ratio ${(oursMs / refMs).toFixed(3)}×`)
}
