// Acceptance (checkpoint start, on the live chains' specs): offline, sublight's light client starts
// Polkadot, Kusama and Westend from their chain specs' lightSyncState checkpoints — BABE epochs and
// GRANDPA sets decoded, the checkpoint header verified — and initializes on exactly the block smoldot
// initializes on for the same spec, with the same header. sublight does it in seconds; smoldot waits
// 30 s for the network first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { start } from '../../src/light-client/index.ts'
import { session } from '../support/light-client.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const SPECS = ['polkadot.json', 'ksmcc3.json', 'westend2.json']

test('offline, sublight and smoldot initialize on the same checkpoint block of Polkadot, Kusama and Westend', { ...needsFixtures, timeout: 120_000 }, async () => {
  const smoldot = promisify(execFile)(process.execPath, ['test/support/smoldot-checkpoint-init.mjs', ...SPECS.map((s) => fixturePath('chain-specs', s))], { timeout: 100_000 })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    const ours: Record<string, { hash: string; header: string; ms: number }> = {}
    const t0 = performance.now()
    await Promise.all(
      SPECS.map(async (name) => {
        const json = JSON.parse(readFixtureText('chain-specs', name))
        json.bootNodes = []
        const chain = await client.addChain({ chainSpec: JSON.stringify(json) })
        const { rpc, event } = session(chain)
        const sub = (await rpc('chainHead_v1_follow', [false])).result
        const hash = (await event((e) => e.event === 'initialized', `${name} initialized`)).finalizedBlockHashes[0]
        ours[name] = { hash, header: (await rpc('chainHead_v1_header', [sub, hash])).result, ms: performance.now() - t0 }
      }),
    )
    const { stdout } = await smoldot
    const theirs = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    for (const name of SPECS) {
      assert.equal(ours[name].hash, theirs[name].hash, `${name}: the same block`)
      assert.equal(ours[name].header, theirs[name].header, `${name}: the same header`)
      assert.ok(ours[name].ms < 20_000, `${name}: initialized in ${Math.round(ours[name].ms)} ms`)
    }
  } finally {
    await client.terminate()
  }
})
