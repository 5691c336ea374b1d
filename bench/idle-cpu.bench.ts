// CPU while following an idle chain: sublight and smoldot, each in its own process at the same time,
// follow a `sublight dev` node-template devnet (a block every 6 s, nothing else happening) with one
// chainHead_v1 follow open; after 30 s of warm-up, CPU time per second of wall time over the next 60 s.
// Medians of 3 rounds. Each client runs in a plain Node process (no tsx): sublight from its compiled
// package (built here first), as users run it.
import { spawn, spawnSync } from 'node:child_process'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const build = spawnSync('npm', ['run', 'build'], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' })
if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`)
const specFile = fixturePath('chain-specs', 'node-template.json')
const port = await freePort()
const node = new DevProcess(['--chain', specFile, '--tmp', '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}/ws`, '--no-rpc'])
const addr = await node.start()
await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, 'the devnet finalizing')

function run(impl: 'sublight' | 'smoldot'): Promise<number> {
  const p = spawn(process.execPath, [new URL('./idle-cpu-client.mjs', import.meta.url).pathname, impl, specFile, addr, '30000', '60000'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SUBLIGHT_DIST: '1' } })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => p.on('exit', () => (/CPU ([\d.]+)/.test(out) ? resolve(Number(/CPU ([\d.]+)/.exec(out)![1])) : reject(new Error(`${impl}: ${out}`)))))
}
const ours: number[] = []
const theirs: number[] = []
for (let i = 0; i < ROUNDS; i++) {
  const [o, t] = await Promise.all([run('sublight'), run('smoldot')])
  console.log(`round ${i + 1}: sublight ${o.toFixed(1)} ms/s, smoldot ${t.toFixed(1)} ms/s`)
  ours.push(o)
  theirs.push(t)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`| CPU following an idle devnet (a block per 6 s, one follow open), median of ${ROUNDS} | ${median(ours).toFixed(1)} ms/s | smoldot ${median(theirs).toFixed(1)} ms/s | ${(median(ours) / median(theirs)).toFixed(2)}× |`)
await node.kill('SIGINT')
process.exit(0)
