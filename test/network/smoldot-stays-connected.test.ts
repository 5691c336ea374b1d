// Acceptance (issue: smoldot dropped our node every ~22 s): smoldot, with a `sublight dev` node as its
// only boot node, keeps its connection for 3 minutes — `system_health` never reports 0 peers once
// connected, and smoldot logs no connection shutdown or slot unassignment. The cause was js-libp2p's ping
// handler aborting smoldot's long-lived ping substream after 10 s; smoldot pings on it every 20 s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const harness = new URL('../support/smoldot-stays.mjs', import.meta.url).pathname
const DURATION_MS = Number(process.env.SUBLIGHT_STAY_MS ?? 180_000)

test('smoldot keeps one connection to our node for 3 minutes', { ...needsFixtures, timeout: DURATION_MS + 120_000 }, async () => {
  const dev = spawn(process.execPath, [bin, 'dev', '--chain', fixturePath('chain-specs', 'node-template.json'), '--tmp', '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-rpc'])
  let out = ''
  dev.stdout.on('data', (d) => (out += d))
  try {
    for (let i = 0; i < 300 && !/^#1 /m.test(out); i++) await new Promise((r) => setTimeout(r, 100))
    const addr = out.split('\n').find((l) => l.startsWith('listening on '))!.slice('listening on '.length)
    const { stdout } = await promisify(execFile)(process.execPath, [harness, fixturePath('chain-specs', 'node-template.json'), addr, String(DURATION_MS)], { timeout: DURATION_MS + 100_000, maxBuffer: 64 << 20 })
    const r = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as { samples: number[]; shutdowns: string[]; error?: string }
    assert.equal(r.error, undefined, r.error)
    assert.ok(r.samples.length >= DURATION_MS / 1000 - 5, `${r.samples.length} samples`)
    const first = r.samples.findIndex((p) => p > 0)
    assert.ok(first >= 0, 'smoldot connected')
    const after = r.samples.slice(first)
    assert.ok(after.every((p) => p > 0), `peers dropped to 0 at sample ${first + after.findIndex((p) => p === 0)} (${after.join(',')})`)
    assert.deepEqual(r.shutdowns, [], 'smoldot logged no connection shutdown')
  } finally {
    dev.kill('SIGINT')
  }
})
