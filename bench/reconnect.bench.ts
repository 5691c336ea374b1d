// Time to follow again after the only peer comes back: a `sublight dev` node (fixed port, base path, so
// the same address and peer id) is killed with SIGKILL, left down 3 s, and restarted; sublight's light
// client (in this process) and smoldot (its own process) follow it side by side, and each round measures
// restart → the client's finalized block passing the one it had before the kill. Then a TCP reset: every
// connection of the node's port killed (`ss -K`, root only; skipped elsewhere), the node left running, and
// the same measure from the reset. Medians of 3 rounds each.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start } from '../src/light-client/index.ts'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath, readFixtureText } from '../test/support/fixtures.ts'
import { addChainWith, session, waitFor } from '../test/support/light-client.ts'

const ROUNDS = 3
const dir = mkdtempSync(join(tmpdir(), 'sublight-reconnect-'))
const specFile = fixturePath('chain-specs', 'node-template.json')
const port = await freePort()
const node = new DevProcess(['--chain', specFile, '--base-path', dir, '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--no-rpc'])
const addr = await node.start()
await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, 'the devnet finalizing')

const client = start({ maxLogLevel: 0 })
const chain = await addChainWith(client, readFixtureText('chain-specs', 'node-template.json'), [addr])
const { rpc } = session(chain)
let ours = -1
const poll = setInterval(async () => {
  const hash = (await rpc('chain_getFinalizedHead', [])).result
  const header = hash && (await rpc('chain_getHeader', [hash])).result
  if (header) ours = Number(header.number)
}, 200)
const smoldot = spawn(process.execPath, [new URL('./smoldot-reconnect.mjs', import.meta.url).pathname, specFile, addr], { stdio: ['ignore', 'pipe', 'ignore'] })
let theirs = -1
smoldot.stdout.on('data', (d: Buffer) => {
  for (const m of String(d).matchAll(/FIN (-?\d+)/g)) theirs = Number(m[1])
})

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** One round: `disrupt` (returns when the disruption is over), then the time until each client finalizes past where it was. */
async function round(name: string, disrupt: () => Promise<void>): Promise<[number, number]> {
  await new Promise((r) => setTimeout(r, 7_000))
  const [oursBefore, theirsBefore] = [ours, theirs]
  await disrupt()
  const restarted = performance.now()
  let oursAt = 0
  let theirsAt = 0
  await waitFor(
    () => {
      if (!oursAt && ours > oursBefore) oursAt = performance.now()
      if (!theirsAt && theirs > theirsBefore) theirsAt = performance.now()
      return oursAt > 0 && theirsAt > 0
    },
    120_000,
    () => `${name}: both clients finalizing again (sublight #${ours} from #${oursBefore}, smoldot #${theirs} from #${theirsBefore})`,
  )
  console.log(`${name}: finalized again: sublight ${Math.round(oursAt - restarted)} ms, smoldot ${Math.round(theirsAt - restarted)} ms`)
  return [oursAt - restarted, theirsAt - restarted]
}

function report(what: string, results: [number, number][]): void {
  const [o, t] = [median(results.map((r) => r[0])), median(results.map((r) => r[1]))]
  console.log(`| ${what}, median of ${results.length} | ${(o / 1000).toFixed(1)} s | smoldot ${(t / 1000).toFixed(1)} s | ${(o / t).toFixed(2)}× |`)
}

try {
  await waitFor(() => ours >= 1 && theirs >= 1, 90_000, 'both clients finalizing')
  const restarts: [number, number][] = []
  for (let i = 1; i <= ROUNDS; i++) {
    restarts.push(
      await round(`restart ${i}`, async () => {
        await node.kill('SIGKILL')
        await new Promise((r) => setTimeout(r, 3_000))
        await node.start()
      }),
    )
  }
  const resets: [number, number][] = []
  const canReset = spawnSync('ss', ['-V']).status === 0 && process.getuid?.() === 0
  for (let i = 1; canReset && i <= ROUNDS; i++) {
    resets.push(await round(`reset ${i}`, async () => void spawnSync('ss', ['-K', '-t', `sport = :${port}`])))
  }
  report('kill -9 + restart (down 3 s) → finalized again', restarts)
  if (resets.length) report('TCP reset of every connection (ss -K) → finalized again', resets)
  else console.log('(TCP reset rows skipped: they need root and ss -K)')
} finally {
  clearInterval(poll)
  smoldot.kill('SIGKILL')
  await client.terminate().catch(() => {})
  await node.kill()
  rmSync(dir, { recursive: true, force: true })
}
