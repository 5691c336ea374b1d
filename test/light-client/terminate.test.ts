// terminate() frees everything at once: after it, the chain refuses use with AlreadyDestroyedError and
// the process exits by itself within a second (smoldot keeps Node alive ~60 s after terminate()).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const child = new URL('../support/light-terminate.ts', import.meta.url).pathname

test('after terminate() the process exits by itself within a second', { ...needsFixtures, timeout: 60_000 }, async () => {
  const p = spawn(process.execPath, ['--import', 'tsx', child, fixturePath('chain-specs', 'node-template.json')])
  let out = ''
  let terminatedAt = 0
  p.stdout.on('data', (d) => {
    out += d
    if (!terminatedAt && out.includes('terminated')) terminatedAt = performance.now()
  })
  const code = await new Promise((r) => p.on('exit', r))
  const lingered = performance.now() - terminatedAt
  assert.equal(code, 0)
  assert.match(out, /terminated true/)
  assert.ok(terminatedAt > 0 && lingered < 1000, `the process lingered ${Math.round(lingered)} ms after terminate()`)
})
