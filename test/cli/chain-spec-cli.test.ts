// The `sublight chain-spec` command as a user runs it (a real subprocess through bin/sublight.js).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 })

test('--json prints exactly the contract keys', needsFixtures, () => {
  const r = run('chain-spec', fixturePath('chain-specs', 'westend-genesis.json'), '--json')
  assert.equal(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  assert.deepEqual(Object.keys(j), ['name', 'id', 'chainType', 'genesisHash', 'stateRoot', 'relayChain', 'paraId', 'bootNodes', 'checkpoint', 'runtime'])
  assert.equal(j.genesisHash, '0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e')
  assert.equal(j.stateRoot, '0x7e92439a94f79671f9cade9dff96a094519b9001a7432244d46ab644bb6f746f')
  assert.deepEqual(j.checkpoint, { number: 5509229, hash: '0x9d34c5a7a8ad8d73c7690a41f7a9d1a7c46e21dc8fb1638aee6ef07f45b65158' })
  assert.equal(j.relayChain, null)
  const p = JSON.parse(run('chain-spec', fixturePath('chain-specs', 'polkadot_asset_hub.json'), '--json').stdout)
  assert.equal(p.relayChain, 'polkadot')
  assert.equal(p.paraId, 1000)
  assert.equal(p.checkpoint, null)
  assert.ok(p.bootNodes > 0)
  const nt = JSON.parse(run('chain-spec', fixturePath('chain-specs', 'node-template.json'), '--json').stdout)
  assert.deepEqual(nt.runtime, { specName: 'node-template', specVersion: 100, stateVersion: 0 })
})

test('human output names the chain and its genesis', needsFixtures, () => {
  const r = run('chain-spec', fixturePath('chain-specs', 'polkadot.json'))
  assert.equal(r.status, 0)
  assert.match(r.stdout, /genesis hash\s+0x91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3/)
  assert.match(r.stdout, /checkpoint\s+#\d+ 0x[0-9a-f]{64}/)
})

test('bad input: one line on stderr, exit code 1, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-'))
  const badJson = join(dir, 'bad.json')
  writeFileSync(badJson, '{ nope')
  const badSpec = join(dir, 'spec.json')
  writeFileSync(badSpec, JSON.stringify({ name: 'x', id: 'y', genesis: { stateRootHash: '0x12' } }))
  for (const args of [['chain-spec', join(dir, 'missing.json')], ['chain-spec', badJson], ['chain-spec', badSpec], ['chain-spec'], ['frobnicate']]) {
    const r = run(...args)
    assert.equal(r.status, 1, args.join(' '))
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
    assert.match(r.stderr, /^sublight: /)
  }
  assert.match(run('chain-spec', badSpec).stderr, /genesis\.stateRootHash/)
})
