// `sublight verify checkpoint` as a user runs it, on the live specs and on a tampered copy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 })

test('verify checkpoint: the live specs and polkadot-dev verify and report what was checked', needsFixtures, () => {
  for (const f of ['polkadot.json', 'ksmcc3.json', 'westend2.json', 'polkadot-dev.json']) {
    const r = run('verify', 'checkpoint', fixturePath('chain-specs', f))
    assert.equal(r.status, 0, `${f}: ${r.stderr}`)
    for (const field of ['checkpoint', 'slot', 'epoch index', 'authority', 'claim']) assert.match(r.stdout, new RegExp(`^${field}\\s+\\S`, 'm'), f)
  }
  assert.match(run('verify', 'checkpoint', fixturePath('chain-specs', 'polkadot-dev.json')).stdout, /authority\s+0 \(0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d\)/)
})

test('verify checkpoint: a tampered seal fails with the precise reason and exit code 1', needsFixtures, () => {
  const j = JSON.parse(readFixtureText('chain-specs', 'ksmcc3.json'))
  const h: string = j.lightSyncState.finalizedBlockHeader
  // the seal is the last 64 bytes of the header: flip one bit in it
  const i = h.length - 10
  j.lightSyncState.finalizedBlockHeader = h.slice(0, i) + (parseInt(h[i], 16) ^ 1).toString(16) + h.slice(i + 1)
  const dir = mkdtempSync(join(tmpdir(), 'sublight-'))
  writeFileSync(join(dir, 'k.json'), JSON.stringify(j))
  const r = run('verify', 'checkpoint', join(dir, 'k.json'))
  assert.equal(r.status, 1)
  assert.match(r.stderr, /^sublight: checkpoint #\d+ does not verify: BadSignature/)
  assert.equal(run('verify', 'checkpoint', fixturePath('chain-specs', 'node-template.json')).status, 1)
})
