// `sublight runtime version` and `sublight runtime call` as a user runs them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 })

test('runtime version --json: the contract keys, on a runtime file and on a chain spec', needsFixtures, () => {
  const r = run('runtime', 'version', fixturePath('runtimes', 'polkadot-runtime-v9160.wasm.zstd'), '--json')
  assert.equal(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  assert.deepEqual(Object.keys(j), ['specName', 'implName', 'authoringVersion', 'specVersion', 'implVersion', 'transactionVersion', 'stateVersion', 'apis'])
  assert.equal(j.specName, 'polkadot')
  assert.equal(j.specVersion, 9160)
  assert.ok(j.apis.every((a: [string, number]) => /^0x[0-9a-f]{16}$/.test(a[0]) && Number.isInteger(a[1])))
  const nt = JSON.parse(run('runtime', 'version', fixturePath('chain-specs', 'node-template.json'), '--json').stdout)
  assert.equal(nt.specName, 'node-template')
  assert.match(run('runtime', 'version', fixturePath('runtimes', 'rococo-genesis.wasm')).stdout, /specName\s+rococo/)
})

test('runtime call prints the output hex on one line; --time reports on stderr', needsFixtures, () => {
  const r = run('runtime', 'call', fixturePath('chain-specs', 'node-template.json'), 'Metadata_metadata', '0x', '--time')
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.equal(lines.length, 1)
  const metadata = readFixtureText('runtimes', 'node-template-metadata.hex').trim().toLowerCase().slice(2)
  assert.ok(lines[0].endsWith(metadata), 'the output is compact(len) ++ the fixture metadata')
  assert.match(r.stderr, /call Metadata_metadata: [\d.]+ ms/)
  const bad = run('runtime', 'call', fixturePath('chain-specs', 'node-template.json'), 'No_such_call')
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /^sublight: .*No_such_call/)
  assert.equal(run('runtime', 'call', fixturePath('chain-specs', 'polkadot.json'), 'Core_version').status, 1, 'no genesis storage')
})
