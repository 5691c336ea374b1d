// A `sublight dev` node (node-template, a block every 6 s) serving two light clients — ours and smoldot,
// each following with a runtime and reading storage and calling the runtime at every new block — for
// DURATION minutes (default 30): the node's RSS every minute; the figure that matters is the growth after
// the first 5 minutes (warm-up: states, caches and the JIT fill up), which should stay near zero.
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const MINUTES = Number(process.env.DURATION ?? 30)
const specFile = fixturePath('chain-specs', 'node-template.json')
const row = (name: string, value: string) => console.log(name.padEnd(72), value)
const port = await freePort()
// MEMORY_PROBE_FILE=<path>: the node also logs its heap, external and array-buffer memory there each minute
// SOAK_NODE_FLAGS="--flag …": Node/V8 options for the node (experiments with GC settings)
const probe = [...(process.env.MEMORY_PROBE_FILE ? ['--import', new URL('./memory-probe.mjs', import.meta.url).pathname] : []), ...(process.env.SOAK_NODE_FLAGS ?? '').split(' ').filter(Boolean)]
const node = new DevProcess(['--chain', specFile, '--tmp', '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}/ws`, '--no-rpc'], 'dev', probe)
const addr = await node.start()
await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, 'the devnet finalizing')
// SOAK_CLIENTS=sublight,smoldot (the default) | sublight | smoldot | none: which light clients the node serves
const impls = (process.env.SOAK_CLIENTS ?? 'sublight,smoldot').split(',').filter((c) => c === 'sublight' || c === 'smoldot')
const clients = impls.map((impl) => spawn(process.execPath, ['--import', 'tsx', new URL('./serve-soak-client.mjs', import.meta.url).pathname, impl, specFile, addr], { stdio: ['ignore', 'ignore', 'inherit'] }))
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'))![1]) / 1024
const samples: number[] = []
try {
  for (let m = 0; m <= MINUTES; m++) {
    if (m > 0) await new Promise((r) => setTimeout(r, 60_000))
    samples.push(rss())
    console.log(`minute ${m}: node RSS ${samples[m].toFixed(0)} MiB, best #${node.status?.best}`)
  }
  const after5 = samples[Math.min(5, samples.length - 1)]
  row(`serve soak (${MINUTES} min, ${impls.length} light clients): node RSS at 5 min | at the end | growth after 5 min`, `${after5.toFixed(0)} | ${samples.at(-1)!.toFixed(0)} | ${(samples.at(-1)! - after5).toFixed(0)} MiB`)
  // one sample swings by a few MiB with GC timing: the same growth between medians of three samples
  const median3 = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]
  if (samples.length >= 9) {
    const from = median3(samples.slice(5, 8))
    const to = median3(samples.slice(-3))
    row(`same, medians of 3 samples: minutes 5-7 | last 3 minutes | growth`, `${from.toFixed(0)} | ${to.toFixed(0)} | ${(to - from).toFixed(0)} MiB`)
    // the trend through every sample from minute 5 (least squares): the worker thread's heap alone swings
    // the RSS by ~5 MiB between its major GCs, which moves any two-point difference by as much
    const xs = samples.slice(5).map((_, i) => i + 5)
    const ys = samples.slice(5)
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length
    const my = ys.reduce((a, b) => a + b, 0) / ys.length
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0)
    row(`same, least-squares trend from minute 5: MiB per minute | over the ${MINUTES - 5} minutes`, `${slope.toFixed(2)} | ${(slope * (MINUTES - 5)).toFixed(1)} MiB`)
  }
} finally {
  for (const c of clients) c.kill('SIGKILL')
  await node.kill('SIGTERM')
}
process.exit(0)
