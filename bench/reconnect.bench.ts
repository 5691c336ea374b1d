// Time to follow again after the only peer comes back: a `sublight dev` node (fixed port, base path, so
// the same address and peer id) is killed with SIGKILL, left down 3 s, and restarted; sublight's light
// client (in this process) and smoldot (its own process) follow it side by side, and each round measures
// restart → the client's finalized block passing the one it had before the kill. Medians of 3 rounds.
import { spawn } from 'node:child_process'
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
const node = new DevProcess(['--chain', specFile, '--base-path', dir, '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${await freePort()}`, '--no-rpc'])
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
const oursMs: number[] = []
const theirsMs: number[] = []
try {
  await waitFor(() => ours >= 1 && theirs >= 1, 90_000, 'both clients finalizing')
  for (let round = 1; round <= ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, 7_000))
    const [oursBefore, theirsBefore] = [ours, theirs]
    await node.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 3_000))
    const restarted = performance.now()
    await node.start()
    let oursAt = 0
    let theirsAt = 0
    await waitFor(
      () => {
        if (!oursAt && ours > oursBefore) oursAt = performance.now()
        if (!theirsAt && theirs > theirsBefore) theirsAt = performance.now()
        return oursAt > 0 && theirsAt > 0
      },
      120_000,
      () => `round ${round}: both clients finalizing again (sublight #${ours} from #${oursBefore}, smoldot #${theirs} from #${theirsBefore})`,
    )
    oursMs.push(oursAt - restarted)
    theirsMs.push(theirsAt - restarted)
    console.log(`round ${round}: finalized again after the restart: sublight ${Math.round(oursAt - restarted)} ms, smoldot ${Math.round(theirsAt - restarted)} ms`)
  }
  const [o, t] = [median(oursMs), median(theirsMs)]
  console.log(`| kill -9 + restart (down 3 s) → finalized again, median of ${ROUNDS} | ${(o / 1000).toFixed(1)} s | smoldot ${(t / 1000).toFixed(1)} s | ${(o / t).toFixed(2)}× |`)
} finally {
  clearInterval(poll)
  smoldot.kill('SIGKILL')
  await client.terminate().catch(() => {})
  await node.kill()
  rmSync(dir, { recursive: true, force: true })
}
