import { toHex, utf8 } from '../src/codec/index.ts'
import { unsealedHeader } from '../src/header/index.ts'
import { encodeBlock, executeBlock, type DevChain } from '../src/full-node/index.ts'
import { chopsticksCall } from '../test/support/chopsticks.ts'
import { spawnSync } from 'node:child_process'

// Benchmark helpers: time a function over repeated runs (median of N after warm-up) and print a
// side-by-side row with the reference and the ratio sublight/reference.

/** Compiles the package into dist/ (`npm run build`): benchmarks run sublight as users run it. */
export function buildPackage(): void {
  const build = spawnSync('npm', ['run', 'build'], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`)
}

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

/**
 * `Core_execute_block` of each block of `chain` numbered in `numbers` on its parent's state: ours
 * (execution + state root) and chopsticks-executor's, each block in turn; the times in ms. Over callback
 * storage the reference cannot compute the trie root (it needs trie nodes, not only keys): its run ends
 * at the root check after executing the whole block, as in executor.bench.ts.
 */
export async function executeSideBySide(chain: DevChain, numbers: number[]): Promise<{ ours: number[]; ref: number[] }> {
  const ours: number[] = []
  const ref: number[] = []
  for (const n of numbers) {
    const b = chain.blockAt(n)!
    const parent = chain.blockAt(n - 1)!.state!
    const code = toHex(parent.get(utf8(':code'))!)
    let t = performance.now()
    executeBlock(parent, { header: b.header, body: b.body })
    ours.push(performance.now() - t)
    t = performance.now()
    await chopsticksCall(parent, code, 'Core_execute_block', toHex(encodeBlock({ header: unsealedHeader(b.header), body: b.body }))).catch(() => undefined)
    ref.push(performance.now() - t)
  }
  return { ours, ref }
}
