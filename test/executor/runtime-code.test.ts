// Runtime code: zstd (Substrate prefix or bare frame) with a bomb limit, and the runtime_version /
// runtime_apis custom sections, judged against @acala-network/chopsticks-executor's get_runtime_version.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as ce from '@acala-network/chopsticks-executor'
import { concatBytes, fromHex, toHex } from '../../src/codec/index.ts'
import { RuntimeCodeError, ZSTD_PREFIX, decodeRuntimeVersion, decompressRuntimeCode, readRuntimeVersionSections, wasmCustomSections } from '../../src/executor/runtime-code.ts'
import { parseChainSpec, genesisCode } from '../../src/chain-spec/index.ts'
import { needsFixtures, readFixture, readFixtureText } from '../support/fixtures.ts'

test('custom sections agree with chopsticks-executor get_runtime_version', needsFixtures, async () => {
  const codes: [string, Uint8Array][] = [['westend-runtime-v9300.wasm', readFixture('runtimes', 'westend-runtime-v9300.wasm')]]
  for (const f of ['node-template.json', 'polkadot-dev.json']) {
    const s = parseChainSpec(readFixtureText('chain-specs', f))
    if (s.genesis.kind === 'raw') codes.push([f, genesisCode(s.genesis)!])
  }
  for (const [name, code] of codes) {
    const ours = readRuntimeVersionSections(decompressRuntimeCode(code))!
    const ref = await ce.get_runtime_version(toHex(code))
    assert.equal(ours.specName, Buffer.from(fromHex(ref.specName)).toString(), name)
    assert.equal(ours.implName, Buffer.from(fromHex(ref.implName)).toString(), name)
    assert.equal(ours.specVersion, ref.specVersion, name)
    assert.equal(ours.implVersion, ref.implVersion, name)
    assert.equal(ours.authoringVersion, ref.authoringVersion, name)
    assert.equal(ours.transactionVersion, ref.transactionVersion, name)
    assert.equal(ours.stateVersion, ref.stateVersion, name)
    assert.deepEqual(ours.apis.map(([id, v]) => [toHex(id), v]), ref.apis, name)
  }
})

test('runtimes without a runtime_version section (older generations) answer undefined; bare zstd decompresses', needsFixtures, () => {
  assert.equal(readRuntimeVersionSections(readFixture('runtimes', 'rococo-genesis.wasm')), undefined)
  const dot = decompressRuntimeCode(readFixture('runtimes', 'polkadot-runtime-v9160.wasm.zstd'))
  assert.deepEqual(dot.subarray(0, 4), Uint8Array.from([0, 0x61, 0x73, 0x6d]))
  const ex = decompressRuntimeCode(readFixture('runtimes', 'example-runtime.wasm.zstd'))
  assert.deepEqual(ex.subarray(0, 4), Uint8Array.from([0, 0x61, 0x73, 0x6d]))
})

test('decompression bombs and corrupt streams are typed errors', needsFixtures, () => {
  const code = readFixture('runtimes', 'polkadot-runtime-v9160.wasm.zstd')
  assert.throws(() => decompressRuntimeCode(code, 1 << 20), (e: unknown) => e instanceof RuntimeCodeError && e.code === 'TooLarge')
  assert.throws(() => decompressRuntimeCode(code.subarray(0, 5000)), (e: unknown) => e instanceof RuntimeCodeError && e.code === 'BadCompression')
  assert.throws(() => decompressRuntimeCode(concatBytes(ZSTD_PREFIX, new Uint8Array(100).fill(7))), (e: unknown) => e instanceof RuntimeCodeError)
  assert.throws(() => wasmCustomSections(new Uint8Array(10), 'x'), (e: unknown) => e instanceof RuntimeCodeError && e.code === 'NotWasm')
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decodeRuntimeVersion(b)
      } catch (e) {
        assert.ok(e instanceof RuntimeCodeError, String(e))
      }
      try {
        wasmCustomSections(concatBytes(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), b), 'runtime_version')
      } catch (e) {
        assert.ok(e instanceof RuntimeCodeError, String(e))
      }
    }),
    { numRuns: 3000 },
  )
})
