// Memory of a light client whose app reads slowly: sublight and smoldot (each in its own process, side by
// side) follow a `sublight dev` node-template devnet with one chainHead_v1 follow open and an app that
// reads one message every 10 s, for SLOW_READER_MINUTES (default 60; the hour). Reported: RSS
// above a bare Node process at the end and at its highest, then (each app reading all at once) how many
// messages had piled up and whether the follow was stopped (sublight stops a follow whose app lags 10 s behind with 64+ messages queued, instead of
// queueing without bound).
import { spawn, spawnSync } from 'node:child_process'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const MINUTES = Number(process.env.SLOW_READER_MINUTES ?? 60)
const READ_EVERY_MS = 10_000
const specFile = fixturePath('chain-specs', 'node-template.json')
const port = await freePort()
const node = new DevProcess(['--chain', specFile, '--tmp', '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}/ws`, '--no-rpc'])
const addr = await node.start()
await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, 'the devnet finalizing')

const bare = Number(spawnSync(process.execPath, ['--expose-gc', '-e', 'gc(); console.log(process.memoryUsage().rss)']).stdout.toString())
type Sample = { rss: number; read: number; stop: number }
function client(impl: 'sublight' | 'smoldot') {
  const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', new URL('./slow-reader-client.mjs', import.meta.url).pathname, impl, specFile, addr, String(READ_EVERY_MS)], { stdio: ['pipe', 'pipe', 'ignore'] })
  const samples: Sample[] = []
  const drained = { queued: -1, stop: 0 }
  p.stdout.on('data', (d: Buffer) => {
    for (const m of String(d).matchAll(/RSS (\d+) READ (\d+) STOP (\d)/g)) samples.push({ rss: Number(m[1]), read: Number(m[2]), stop: Number(m[3]) })
    for (const m of String(d).matchAll(/DRAIN (\d+) STOP (\d)/g)) Object.assign(drained, { queued: Number(m[1]), stop: Number(m[2]) })
  })
  return { p, samples, drained }
}
const ours = client('sublight')
const theirs = client('smoldot')
const t0 = Date.now()
while (Date.now() - t0 < MINUTES * 60_000) {
  await new Promise((r) => setTimeout(r, 60_000))
  const [o, t] = [ours.samples.at(-1), theirs.samples.at(-1)]
  console.log(`${Math.round((Date.now() - t0) / 60_000)} min: sublight ${o ? ((o.rss - bare) / 2 ** 20).toFixed(0) : '?'} MiB above bare Node, smoldot ${t ? ((t.rss - bare) / 2 ** 20).toFixed(0) : '?'} MiB; devnet #${node.status?.best}`)
}
// then each app reads what is queued: how much piled up, and whether its follow was stopped
for (const c of [ours, theirs]) c.p.stdin!.write('drain\n')
await waitFor(() => ours.drained.queued >= 0 && theirs.drained.queued >= 0, 120_000, 'both clients drained')
const mib = (c: typeof ours) => {
  const s = c.samples
  return `${((s.at(-1)!.rss - bare) / 2 ** 20).toFixed(0)} MiB at the end (highest ${((Math.max(...s.map((x) => x.rss)) - bare) / 2 ** 20).toFixed(0)}), ${c.drained.queued} messages queued, follow ${c.drained.stop ? 'stopped' : 'still open'}`
}
console.log(`| ${MINUTES} min following, an app reading one message per 10 s | sublight ${mib(ours)} | smoldot ${mib(theirs)} | end RSS above bare Node ${((ours.samples.at(-1)!.rss - bare) / (theirs.samples.at(-1)!.rss - bare)).toFixed(2)}× |`)
ours.p.kill()
theirs.p.kill()
await node.kill('SIGINT')
process.exit(0)
