// Runtime.loadAsync (the asynchronous compile the light client uses, and browsers need): the same runtime
// as `load` — same call outputs, the same cache entry — and the same typed errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ExecutorError, MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('loadAsync compiles the same runtime as load, shares its cache and its errors', needsFixtures, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const storage = new MemoryStorage(spec.genesis.top)
  const code = storage.get(new TextEncoder().encode(':code'))!
  const fresh = await Runtime.loadAsync(code, { noCache: true })
  const sync = Runtime.load(code, { noCache: true })
  assert.deepEqual(fresh.call('Core_version', new Uint8Array(), { storage }).output, sync.call('Core_version', new Uint8Array(), { storage }).output)
  assert.deepEqual(fresh.call('Metadata_metadata', new Uint8Array(), { storage }).output, sync.call('Metadata_metadata', new Uint8Array(), { storage }).output)
  // one cache: whichever loads first, the other gets the same instance
  const cached = Runtime.load(code)
  assert.equal(await Runtime.loadAsync(code), cached)
  await assert.rejects(Runtime.loadAsync(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255])), (e: unknown) => e instanceof ExecutorError && e.code === 'InvalidCode')
  await assert.rejects(Runtime.loadAsync(new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof ExecutorError && e.code === 'InvalidCode')
})
