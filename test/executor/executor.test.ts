// The executor on real runtimes and real data: Core_version on every fixture runtime, metadata against
// the fixture and against chopsticks-executor (smoldot's executor), the four recorded child-trie blocks,
// a transaction validated from a call proof, and every failure mode as a typed error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { Reader, Writer, concatBytes, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { decodeHeader, headerHash } from '../../src/header/index.ts'
import { decodeProof } from '../../src/trie/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ExecutorError, MemoryStorage, MissingStorageError, ProofStorage, Runtime, decodeRuntimeVersion, decompressRuntimeCode } from '../../src/executor/index.ts'
import { callIsolated } from '../../src/executor/isolated.ts'
import { fixturePath, needsFixtures, readFixture, readFixtureText } from '../support/fixtures.ts'
import { chopsticksCall } from '../support/chopsticks.ts'
import { SPIN_WASM } from '../support/wasm-modules.ts'

function genesisStorage(spec: string): MemoryStorage {
  const s = parseChainSpec(readFixtureText('chain-specs', spec))
  if (s.genesis.kind !== 'raw') throw new Error('no raw genesis')
  return new MemoryStorage(s.genesis.top, s.genesis.childrenDefault.map((c) => [c.childKey, c.entries] as const))
}
const CODE = utf8(':code')

test('Core_version runs on every fixture runtime and agrees with the runtime_version section', needsFixtures, () => {
  const codes: [string, Uint8Array][] = readdirSync(fixturePath('runtimes')).filter((f) => /\.wasm(\.zstd)?$/.test(f)).map((f) => [f, readFixture('runtimes', f)])
  // polkadot_coretime: a live Cumulus runtime (2024+ host API, incl. ext_storage_proof_size_*)
  for (const spec of ['westend-genesis.json', 'node-template.json', 'polkadot-dev.json', 'polkadot_coretime.json']) codes.push([spec, genesisStorage(spec).get(CODE)!])
  const names = new Set<string>()
  for (const [name, code] of codes) {
    const rt = Runtime.load(code)
    const v = decodeRuntimeVersion(rt.call('Core_version').output)
    names.add(v.specName)
    assert.ok(v.specVersion > 0 && v.apis.length > 0, name)
    if (rt.embeddedVersion) {
      const e = rt.embeddedVersion
      assert.deepEqual([v.specName, v.implName, v.specVersion, v.implVersion, v.authoringVersion, v.transactionVersion, v.stateVersion], [e.specName, e.implName, e.specVersion, e.implVersion, e.authoringVersion, e.transactionVersion, e.stateVersion], name)
      assert.deepEqual(v.apis.map(([id, n]) => toHex(id) + n), e.apis.map(([id, n]) => toHex(id) + n), name)
    }
  }
  assert.deepEqual([...names].sort(), ['coretime-polkadot', 'node-template', 'polkadot', 'rococo', 'shell', 'westend'])
})

test('Metadata_metadata: node-template equals the fixture; Westend, polkadot-dev and Polkadot Coretime equal chopsticks-executor', needsFixtures, async () => {
  const nt = genesisStorage('node-template.json')
  const out = Runtime.load(nt.get(CODE)!).call('Metadata_metadata', new Uint8Array(), { storage: nt }).output
  const r = new Reader(out)
  const metadata = r.vecU8()
  r.finish()
  assert.equal(toHex(metadata), readFixtureText('runtimes', 'node-template-metadata.hex').trim().toLowerCase())
  for (const spec of ['westend-genesis.json', 'polkadot-dev.json', 'polkadot_coretime.json']) {
    const st = genesisStorage(spec)
    const ours = Runtime.load(st.get(CODE)!).call('Metadata_metadata', new Uint8Array(), { storage: st }).output
    const ref = await chopsticksCall(st, toHex(st.get(CODE)!), 'Metadata_metadata', '0x')
    assert.equal(toHex(ours), ref, spec)
  }
})

export function loadBlockFixture(file: string) {
  const j = JSON.parse(readFixtureText('blocks', file))
  const top = Object.entries(j.parentStorage.mainTrie as Record<string, string>).map(([k, v]) => [fromHex(k), fromHex(v)] as const)
  const children = Object.entries(j.parentStorage.childTries as Record<string, Record<string, string>>).map(
    ([ck, m]) => [fromHex(ck), Object.entries(m).map(([k, v]) => [fromHex(k), fromHex(v)] as const)] as const,
  )
  const header = fromHex(j.block.header)
  const body = (j.block.body as string[]).map(fromHex)
  return { storage: new MemoryStorage(top, children), header, args: concatBytes(header, new Writer().compact(body.length).finish(), ...body) }
}

test('the four child-trie blocks execute, and the computed state root equals the header', needsFixtures, () => {
  const files = readdirSync(fixturePath('blocks')).filter((f) => f.startsWith('child-trie-'))
  assert.equal(files.length, 4)
  for (const f of files) {
    const { storage, header, args } = loadBlockFixture(f)
    const res = Runtime.load(storage.get(CODE)!).call('Core_execute_block', args, { storage })
    assert.equal(toHex(res.stateRoot(1)), toHex(decodeHeader(header).stateRoot), f)
    assert.ok(res.changes.children.length >= 1, `${f} touches child tries`)
  }
})

test('a real transaction validates using only the call proof', needsFixtures, () => {
  const tx = JSON.parse(readFixtureText('transactions', 'validate-from-proof.json'))
  const header = decodeHeader(fromHex(tx.blockHeader))
  const storage = new ProofStorage(header.stateRoot, decodeProof(fromHex(tx.callProof)))
  // TransactionSource::External = 2, the transaction, the block hash. `:heappages` travels with `:code`
  // (the light client fetches them together), so the caller supplies it: Substrate's default here.
  const args = concatBytes(Uint8Array.from([2]), fromHex(tx.transactionBytes), headerHash(header))
  const out = Runtime.load(fromHex(tx.runtimeCode)).call('TaggedTransactionQueue_validate_transaction', args, { storage, heapPages: 2048 }).output
  // TransactionValidity = Result<ValidTransaction { priority, requires, provides, longevity, propagate }, _>
  const r = new Reader(out)
  assert.equal(r.u8(), 0, 'Ok(ValidTransaction)')
  const priority = r.u64()
  const requires = r.vec((x) => x.vecU8())
  const provides = r.vec((x) => x.vecU8())
  const longevity = r.u64()
  const propagate = r.bool()
  r.finish()
  assert.ok(priority > 0n && longevity > 0n && propagate)
  assert.equal(provides.length, 1, 'a signed transaction provides its (sender, nonce) tag')
  assert.ok(requires.length <= 1)
  // Without the heap-pages hint the runtime needs `:heappages`, which this proof does not cover:
  assert.throws(() => Runtime.load(fromHex(tx.runtimeCode)).call('TaggedTransactionQueue_validate_transaction', args, { storage }), (e: unknown) => e instanceof MissingStorageError && toHex(e.key) === toHex(utf8(':heappages')))
})

// A hand-assembled module: exports memory, __heap_base and `spin(i32, i32) -> i64`, an infinite loop;
// `bad` traps on `unreachable`.

test('failures are typed errors and the process stays up: malformed, missing import, trap, panic, out of memory, infinite loop', needsFixtures, async () => {
  const code = decompressRuntimeCode(genesisStorage('node-template.json').get(CODE)!)
  // malformed
  assert.throws(() => Runtime.load(code.subarray(0, 1000)), (e: unknown) => e instanceof ExecutorError && e.code === 'InvalidCode')
  assert.throws(() => Runtime.load(utf8('not wasm at all')), (e: unknown) => e instanceof ExecutorError && e.code === 'InvalidCode')
  // missing import: rename one import of a real runtime to a function nobody provides
  const renamed = code.slice()
  const at = Buffer.from(renamed).indexOf('ext_storage_get_version_1')
  assert.ok(at > 0)
  renamed.set(utf8('ext_storage_get_version_9'), at)
  assert.throws(() => Runtime.load(renamed), (e: unknown) => e instanceof ExecutorError && e.code === 'MissingImports' && e.details.missing?.includes('ext_storage_get_version_9') === true)
  const tolerant = Runtime.load(renamed, { allowUnresolvedImports: true })
  assert.equal(decodeRuntimeVersion(tolerant.call('Core_version').output).specName, 'node-template')
  // panic: a block that does not decode; the runtime's own panic message comes back
  const nt = genesisStorage('node-template.json')
  const rt = Runtime.load(code)
  assert.throws(
    () => rt.call('Core_execute_block', Uint8Array.from([1, 2, 3]), { storage: nt }),
    (e: unknown) => e instanceof ExecutorError && e.code === 'Trap' && typeof e.panicMessage === 'string' && e.panicMessage.length > 0,
  )
  // out of memory: a heap of one page cannot hold the metadata
  assert.throws(() => rt.call('Metadata_metadata', new Uint8Array(), { storage: nt, heapPages: 1 }), (e: unknown) => e instanceof ExecutorError && e.code === 'OutOfMemory')
  // unknown export
  assert.throws(() => rt.call('No_such_function'), (e: unknown) => e instanceof ExecutorError && e.code === 'MissingExport')
  // trap without a panic message
  const spin = Runtime.load(SPIN_WASM)
  assert.throws(() => spin.call('bad'), (e: unknown) => e instanceof ExecutorError && e.code === 'Trap' && /unreachable/.test(e.message))
  // infinite loop: stopped by the worker's wall-clock limit; the process keeps serving
  const t0 = performance.now()
  await assert.rejects(callIsolated({ code: SPIN_WASM, method: 'spin', args: new Uint8Array() }, 1500), (e: unknown) => e instanceof ExecutorError && e.code === 'Timeout')
  assert.ok(performance.now() - t0 < 10_000)
  const ok = await callIsolated({ code: code, method: 'Core_version', args: new Uint8Array(), top: [] }, 30_000)
  assert.equal(decodeRuntimeVersion(ok.output).specName, 'node-template')
  // a missing storage key crosses the worker boundary as a typed error with its key
  const tx = JSON.parse(readFixtureText('transactions', 'validate-from-proof.json'))
  const header = decodeHeader(fromHex(tx.blockHeader))
  await assert.rejects(
    callIsolated({ code: fromHex(tx.runtimeCode), method: 'TaggedTransactionQueue_validate_transaction', args: new Uint8Array(), proof: { stateRoot: header.stateRoot, nodes: decodeProof(fromHex(tx.callProof)) } }),
    (e: unknown) => e instanceof MissingStorageError && toHex(e.key) === toHex(utf8(':heappages')),
  )
})
