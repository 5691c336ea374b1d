// CPU while following an idle chain: sublight and smoldot, each in its own process at the same time,
// follow a `sublight dev` node-template devnet (a block every 6 s, nothing else happening) with one
// chainHead_v1 follow open; after 30 s of warm-up, CPU time per second of wall time over the next 60 s,
// then over the 120 s after that: the steady state (start-up's last work — V8's memory reducer compacting
// the heap a minute in, functions still being optimized — falls into the first window). Medians of 3 rounds. Each client runs in a plain Node process (no tsx): sublight from its compiled
// package (built here first), as users run it.
import { spawn } from 'node:child_process'
import { buildPackage } from './util.ts'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
buildPackage()
const specFile = fixturePath('chain-specs', 'node-template.json')
const port = await freePort()
const node = new DevProcess(['--chain', specFile, '--tmp', '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}/ws`, '--no-rpc'])
const addr = await node.start()
await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, 'the devnet finalizing')

/** [CPU over seconds 30–90, CPU over seconds 90–210] in ms per s. */
function run(impl: 'sublight' | 'smoldot'): Promise<[number, number]> {
  const p = spawn(process.execPath, [new URL('./idle-cpu-client.mjs', import.meta.url).pathname, impl, specFile, addr, '30000', '60000', '120000'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SUBLIGHT_DIST: '1' } })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  return new Promise((resolve, reject) =>
    p.on('exit', () => {
      const m = /CPU ([\d.]+) CPU2 ([\d.]+)/.exec(out)
      if (m) resolve([Number(m[1]), Number(m[2])])
      else reject(new Error(`${impl}: ${out}`))
    }),
  )
}
const ours: [number, number][] = []
const theirs: [number, number][] = []
for (let i = 0; i < ROUNDS; i++) {
  const [o, t] = await Promise.all([run('sublight'), run('smoldot')])
  console.log(`round ${i + 1}: seconds 30-90 sublight ${o[0].toFixed(1)} ms/s, smoldot ${t[0].toFixed(1)} ms/s; seconds 90-210 sublight ${o[1].toFixed(1)} ms/s, smoldot ${t[1].toFixed(1)} ms/s`)
  ours.push(o)
  theirs.push(t)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
for (const [w, label] of [[0, 'seconds 30-90 after addChain'], [1, 'seconds 90-210 (steady state)']] as const) {
  const o = median(ours.map((x) => x[w]))
  const t = median(theirs.map((x) => x[w]))
  console.log(`| CPU following an idle devnet (a block per 6 s, one follow open), ${label}, median of ${ROUNDS} | ${o.toFixed(1)} ms/s | smoldot ${t.toFixed(1)} ms/s | ${(o / t).toFixed(2)}× |`)
}
await node.kill('SIGINT')
process.exit(0)
