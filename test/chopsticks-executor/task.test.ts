// sublight/chopsticks-executor's behaviour beyond equality: bad input gives `{ Error }` with a clear
// message, never a throw, a hang or a dead worker (acceptance 4: code that is not a runtime, a missing
// function, a callback that throws, one that never answers — bounded by the callback timeout); Chopsticks'
// mock signatures (a transfer signed 0xdeadbeef… is applied with mockSignatureHost 1 and 2, refused
// with 0), judged against the original executor on the same task.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import * as original from '@acala-network/chopsticks-executor'
import * as ours from '../../src/chopsticks-executor/index.ts'
import type { JsCallback, TaskCall, TaskResponse } from '../../src/chopsticks-executor/index.ts'
import { genesisHash, genesisHeader, genesisStorage, parseChainSpec, type RawGenesis } from '../../src/chain-spec/index.ts'
import { Reader, Writer, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { sr25519FromSuri } from '../../src/crypto/index.ts'
import { AURA_ENGINE, encodeHeader } from '../../src/header/index.ts'
import { signedExtrinsic, signingContext } from '../../src/full-node/dev-extrinsics.ts'
import { callIndex } from '../../src/metadata/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { chopsticksCallbacks } from '../support/chopsticks.ts'

after(() => ours.destroy())


const task = (wasm: string, calls: [string, string[]][], mock = 0): TaskCall => ({ wasm: wasm as TaskCall['wasm'], calls: calls as TaskCall['calls'], mockSignatureHost: mock, allowUnresolvedImports: false, runtimeLogLevel: 0, storageProofSize: 0 })

function errorOf(r: TaskResponse): string {
  assert.ok('Error' in r, `an { Error } result, got ${JSON.stringify(r).slice(0, 200)}`)
  return r.Error
}

test('chopsticks-executor: bad input gives { Error } with a clear message; the worker carries on', { ...needsFixtures, timeout: 120_000 }, async () => {
  const st = genesisStorage(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')).genesis as RawGenesis)
  const wasm = toHex(st.get(utf8(':code'))!)
  // code that is not a runtime (nor WebAssembly)
  assert.match(errorOf(await ours.run_task(task('0x0102030405', [['Core_version', []]]), chopsticksCallbacks(st))), /runtime|WebAssembly|code/i)
  await assert.rejects(ours.get_runtime_version('0x0102030405'), /runtime|WebAssembly|code/i)
  // a function the runtime does not have
  assert.match(errorOf(await ours.run_task(task(wasm, [['Nope_nothing', []]]), chopsticksCallbacks(st))), /Nope_nothing/)
  // malformed tasks
  assert.match(errorOf(await ours.run_task({ ...task(wasm, []), wasm: 'not hex' as TaskCall['wasm'] }, chopsticksCallbacks(st))), /hex/)
  assert.match(errorOf(await ours.run_task({ ...task(wasm, []), calls: 'Core_version' as unknown as TaskCall['calls'] }, chopsticksCallbacks(st))), /calls/)
  assert.match(errorOf(await ours.run_task(task(wasm, [['Core_version', ['0xzz']]]), chopsticksCallbacks(st))), /hex/i)
  // a call that reads storage: Alice's nonce
  const nonce: [string, string[]][] = [['AccountNonceApi_account_nonce', [toHex(sr25519FromSuri('//Alice').publicKey)]]]
  // a callback that throws, one that answers nonsense, one that is missing
  assert.match(errorOf(await ours.run_task(task(wasm, nonce), chopsticksCallbacks(st, { getStorage: async () => Promise.reject(new Error('upstream is down')) }))), /getStorage: upstream is down/)
  assert.match(errorOf(await ours.run_task(task(wasm, nonce), chopsticksCallbacks(st, { getStorage: async () => 'xyz' }))), /getStorage answered "xyz", which is not hex/)
  assert.match(errorOf(await ours.run_task(task(wasm, nonce), chopsticksCallbacks(st, { getStorage: async () => (() => '0x') as unknown as string }))), /cannot be sent to the worker/)
  const noStorage = chopsticksCallbacks(st) as Partial<JsCallback>
  delete noStorage.getStorage
  assert.match(errorOf(await ours.run_task(task(wasm, nonce), noStorage as JsCallback)), /no getStorage callback/)
  // a callback that never answers: bounded by the timeout
  ours.configure({ callbackTimeoutMs: 300 })
  try {
    const t0 = performance.now()
    assert.match(errorOf(await ours.run_task(task(wasm, nonce), chopsticksCallbacks(st, { getStorage: () => new Promise(() => {}) }))), /getStorage did not answer within 300 ms/)
    assert.ok(performance.now() - t0 < 10_000, 'the task ended soon after the timeout')
    // one that answers too late: the task fails, the late answer is dropped without harm
    assert.match(errorOf(await ours.run_task(task(wasm, nonce), chopsticksCallbacks(st, { getStorage: () => new Promise((r) => setTimeout(() => r(undefined), 600)) }))), /did not answer within 300 ms/)
    await new Promise((r) => setTimeout(r, 800))
  } finally {
    ours.configure({ callbackTimeoutMs: 60_000 })
  }
  // and the worker still serves good tasks, as the original would
  const good = await ours.run_task(task(wasm, [['Core_version', []]]), chopsticksCallbacks(st))
  const ref = (await original.run_task({ ...task(wasm, [['Core_version', []]]), id: 1 }, chopsticksCallbacks(st))) as TaskResponse
  assert.ok('Call' in good && 'Call' in ref)
  assert.equal(good.Call.result, ref.Call.result)
})

test("chopsticks-executor: Chopsticks' mock signatures (0xdeadbeef…) as the original treats them", { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  let st = genesisStorage(spec.genesis as RawGenesis)
  const wasm = toHex(st.get(utf8(':code'))!)
  const parent = genesisHeader(spec)
  const header = { parentHash: genesisHash(spec), number: 1, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [{ type: 'preRuntime' as const, engine: AURA_ENGINE, payload: new Writer(8).u64(283_333_333n).finish() }] }
  assert.equal(parent.number, 0)
  const init = await ours.run_task(task(wasm, [['Core_initialize_block', [toHex(encodeHeader(header))]]]), chopsticksCallbacks(st))
  assert.ok('Call' in init)
  st = st.withChanges({ top: init.Call.storageDiff.map(([k, v]) => [fromHex(k), v ? fromHex(v) : null]), children: [] })
  const signing = signingContext(st, genesisHash(spec))
  const call = new Writer().bytes(new Uint8Array(callIndex(signing.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(sr25519FromSuri('//Bob').publicKey).compact(10n ** 12n).finish()
  const ext = signedExtrinsic(signing, sr25519FromSuri('//Alice'), 0, call)
  // the signature: after the length prefix, the version byte, MultiAddress::Id (1 + 32) and the MultiSignature tag
  const r = new Reader(ext)
  r.compactNumber()
  const at = r.pos + 1 + 33 + 1
  const magic = ext.slice()
  magic.set([0xde, 0xad, 0xbe, 0xef, ...new Array(60).fill(0xcd)], at)
  const apply = (x: Uint8Array) => [['BlockBuilder_apply_extrinsic', [toHex(x)]]] as [string, string[]][]
  for (const mock of [0, 1, 2]) {
    const mine = await ours.run_task(task(wasm, apply(magic), mock), chopsticksCallbacks(st))
    const theirs = (await original.run_task({ ...task(wasm, apply(magic), mock), id: 1 }, chopsticksCallbacks(st))) as TaskResponse
    assert.ok('Call' in mine && 'Call' in theirs)
    assert.equal(mine.Call.result, theirs.Call.result, `mockSignatureHost ${mock}: the same outcome`)
    assert.deepEqual(mine.Call.storageDiff, theirs.Call.storageDiff, `mockSignatureHost ${mock}: the same changes`)
    // Ok(Ok(())) when mocked; Err(Invalid(BadProof)) = 0x010004 when signatures are checked
    assert.equal(mine.Call.result, mock === 0 ? '0x010004' : '0x0000', `mockSignatureHost ${mock}`)
  }
  // mode 2 accepts any signature, mode 1 only the magic one
  const garbage = ext.slice()
  garbage.set(new Array(64).fill(7), at)
  const one = await ours.run_task(task(wasm, apply(garbage), 1), chopsticksCallbacks(st))
  const two = await ours.run_task(task(wasm, apply(garbage), 2), chopsticksCallbacks(st))
  assert.ok('Call' in one && 'Call' in two)
  assert.equal(one.Call.result, '0x010004', 'mode 1 checks a signature that is not the magic one')
  assert.equal(two.Call.result, '0x0000', 'mode 2 accepts every signature')
})
