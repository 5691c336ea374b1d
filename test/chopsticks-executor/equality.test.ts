// `sublight/chopsticks-executor` against the original `@acala-network/chopsticks-executor` (smoldot's
// executor in WebAssembly, an independent implementation), on every runtime in ../shared/fixtures with
// genesis storage: the same `run_task` calls — Core_version, Metadata_metadata, then a block built as
// Chopsticks builds one (Core_initialize_block, BlockBuilder_inherent_extrinsics, each inherent and a
// signed transfer through BlockBuilder_apply_extrinsic, BlockBuilder_finalize_block; one task per call,
// each over the state the previous diffs made) and the same calls as one multi-call task — must give the
// same `result`, `storageDiff`, `offchainStorageDiff` and logs; and the trie functions agree.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import * as original from '@acala-network/chopsticks-executor'
import * as ours from '../../src/chopsticks-executor/index.ts'
import type { TaskCall, TaskResponse } from '../../src/chopsticks-executor/index.ts'
import { genesisHash, genesisHeader, genesisStorage, parseChainSpec, type RawGenesis } from '../../src/chain-spec/index.ts'
import { Reader, Writer, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { sr25519FromSuri } from '../../src/crypto/index.ts'
import { MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { AURA_ENGINE, encodeHeader, type Header } from '../../src/header/index.ts'
import { babePreRuntimeItem, inherentData } from '../../src/full-node/index.ts'
import { signedExtrinsic, signingContext } from '../../src/full-node/dev-extrinsics.ts'
import { callIndex } from '../../src/metadata/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { chopsticksCallbacks } from '../support/chopsticks.ts'
import { MemoryTrie } from '../../src/trie/index.ts'

after(() => ours.destroy())


function task(wasm: string, calls: [string, string[]][]): TaskCall {
  return { wasm: wasm as TaskCall['wasm'], calls: calls as TaskCall['calls'], mockSignatureHost: 0, allowUnresolvedImports: false, runtimeLogLevel: 3, storageProofSize: 0 }
}

/** Both executors, the same task: identical answers (an error on both sides counts as the same). */
async function same(wasm: string, calls: [string, string[]][], st: MemoryStorage, what: string): Promise<TaskResponse> {
  const t = task(wasm, calls)
  const theirs = (await original.run_task({ ...t, id: 1 }, chopsticksCallbacks(st))) as TaskResponse
  const mine = await ours.run_task(t, chopsticksCallbacks(st))
  if ('Error' in theirs) {
    assert.ok('Error' in mine, `${what}: the original failed (${theirs.Error}) but ours answered`)
    return mine
  }
  assert.ok('Call' in mine, `${what}: ours failed: ${'Error' in mine ? mine.Error : ''}`)
  assert.equal(mine.Call.result, theirs.Call.result, `${what}: result`)
  assert.deepEqual(mine.Call.storageDiff, theirs.Call.storageDiff, `${what}: storageDiff`)
  assert.deepEqual(mine.Call.offchainStorageDiff, theirs.Call.offchainStorageDiff, `${what}: offchainStorageDiff`)
  assert.deepEqual(mine.Call.runtimeLogs, theirs.Call.runtimeLogs, `${what}: runtimeLogs`)
  return mine
}

function withDiff(st: MemoryStorage, diff: [string, string | undefined | null][]): MemoryStorage {
  return st.withChanges({ top: diff.map(([k, v]) => [fromHex(k), v ? fromHex(v) : null]), children: [] })
}

const u64 = (v: bigint) => new Writer(8).u64(v).finish()

const RUNTIMES = ['node-template', 'polkadot-dev', 'westend-genesis', 'polkadot_coretime']

for (const name of RUNTIMES) {
  test(`chopsticks-executor: ${name} answers as the original (version, metadata, a block with a transfer)`, { ...needsFixtures, timeout: 300_000 }, async () => {
    const spec = parseChainSpec(readFixtureText('chain-specs', `${name}.json`))
    const isParachain = name === 'polkadot_coretime'
    let st = genesisStorage(spec.genesis as RawGenesis)
    const codeBytes = st.get(utf8(':code'))!
    const wasm = toHex(codeBytes)
    const rt = Runtime.load(codeBytes)
    const isBabe = WebAssembly.Module.exports(new WebAssembly.Module(rt.wasm as Uint8Array<ArrayBuffer>)).some((e) => e.name === 'BabeApi_configuration')
    assert.deepEqual(await ours.get_runtime_version(wasm as TaskCall['wasm']), await original.get_runtime_version(wasm), 'get_runtime_version')

    await same(wasm, [['Core_version', []]], st, 'Core_version')
    await same(wasm, [['Metadata_metadata', []]], st, 'Metadata_metadata')

    // block #1 over genesis, as Chopsticks builds it
    const parent = genesisHeader(spec)
    const slotMs = new Reader(rt.call(isBabe ? 'BabeApi_configuration' : 'AuraApi_slot_duration', new Uint8Array(), { storage: st }).output).u64()
    const slot = 1_700_000_000_000n / slotMs
    const pre = isBabe ? babePreRuntimeItem({ kind: 'secondaryPlain', authorityIndex: 0, slot }) : { type: 'preRuntime' as const, engine: AURA_ENGINE, payload: u64(slot) }
    const header: Header = { parentHash: genesisHash(spec), number: 1, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [pre] }
    const items: Record<string, Uint8Array> = { timstap0: u64(slot * slotMs) }
    if (isBabe) {
      items.babeslot = u64(slot)
      items.parachn0 = new Writer().compact(0).compact(0).compact(0).bytes(encodeHeader(parent)).finish()
      // the 2020 parachains module (Westend's genesis runtime): no new heads
      if (name === 'westend-genesis') items.newheads = new Writer().compact(0).finish()
    }
    // a signed transfer Alice → Bob (Westend's genesis runtime has metadata v11, which we do not read: no transfer there)
    const transfers: string[] = []
    if (name !== 'westend-genesis') {
      const signing = signingContext(st, genesisHash(spec))
      const transferCall = new Writer().bytes(new Uint8Array(callIndex(signing.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(sr25519FromSuri('//Bob').publicKey).compact(10n ** 10n).finish()
      transfers.push(toHex(signedExtrinsic(signing, sr25519FromSuri('//Alice'), 0, transferCall)))
    }

    const all: [string, string[]][] = [['Core_initialize_block', [toHex(encodeHeader(header))]]]
    const init = await same(wasm, [all[0]], st, 'Core_initialize_block')
    assert.ok('Call' in init, 'initialize_block succeeded')
    st = withDiff(st, init.Call.storageDiff)
    const inh = await same(wasm, [['BlockBuilder_inherent_extrinsics', [toHex(inherentData(items))]]], st, 'BlockBuilder_inherent_extrinsics')
    // a parachain's inherents need the relay chain's validation data, which a genesis state cannot give:
    // there both executors fail alike, and the block goes on without inherents
    const inherents = !('Call' in inh)
      ? []
      : new Reader(fromHex(inh.Call.result)).vec((r) => {
          const start = r.pos
          r.bytes_(r.compactNumber())
          return toHex(r.bytes.slice(start, r.pos))
        })
    if (!isParachain) assert.ok(inherents.length >= 1, `at least the timestamp inherent (${'Error' in inh ? inh.Error : inh.Call.result})`)
    let applied = 0
    for (const ext of [...inherents, ...transfers]) {
      const res = await same(wasm, [['BlockBuilder_apply_extrinsic', [ext]]], st, `BlockBuilder_apply_extrinsic #${applied}`)
      all.push(['BlockBuilder_apply_extrinsic', [ext]])
      if ('Call' in res) st = withDiff(st, res.Call.storageDiff)
      // on the dev chains Alice is endowed: her transfer is applied (Ok(Ok(())))
      if (transfers.includes(ext) && (name === 'node-template' || name === 'polkadot-dev')) assert.equal('Call' in res && res.Call.result, '0x0000', 'the transfer is applied')
      applied++
    }
    const fin = await same(wasm, [['BlockBuilder_finalize_block', []]], st, 'BlockBuilder_finalize_block')
    all.push(['BlockBuilder_finalize_block', []])
    if (!isParachain) assert.ok('Call' in fin, 'a relay or solo chain finalizes its block')
    // the whole block as one task: each call sees the earlier ones' changes
    await same(wasm, all, genesisStorage(spec.genesis as RawGenesis), 'one task of every call')
  })
}

test('chopsticks-executor: calculate_state_root, create_proof and decode_proof agree with the original', { ...needsFixtures, timeout: 60_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const raw = spec.genesis as RawGenesis
  const entries = raw.top.map(([k, v]) => [toHex(k), toHex(v)] as [`0x${string}`, `0x${string}`])
  for (const version of [0, 1]) assert.equal(await ours.calculate_state_root(entries, version), await original.calculate_state_root(entries, version), `state root v${version}`)
  assert.equal(await ours.calculate_state_root([], 0), await original.calculate_state_root([], 0), 'empty trie')
  // a real proof: the recorded relay-chain state proof of the fixtures (or a proof we build over genesis)
  const small = raw.top.filter(([, v]) => v.length < 200)
  const trie = new MemoryTrie(small, 0)
  const keys = small.slice(0, 12).map(([k]) => k)
  const proof = trie.proveKeys(keys).map((n) => toHex(n)) as `0x${string}`[]
  const root = toHex(trie.root) as `0x${string}`
  const decoded = await ours.decode_proof(root, proof)
  assert.deepEqual(decoded, await original.decode_proof(root, proof), 'decode_proof')
  assert.ok(decoded.length >= keys.length, 'every proven key is decoded')
  const updates: [`0x${string}`, `0x${string}` | null][] = [
    [toHex(keys[0]) as `0x${string}`, '0x01020304'],
    [toHex(keys[1]) as `0x${string}`, null],
    ['0x0102030405060708', '0xdeadbeef'],
  ]
  const [mineRoot, mineNodes] = await ours.create_proof(proof, updates)
  const [theirRoot, theirNodes] = (await original.create_proof(proof, updates)) as [string, string[]]
  assert.equal(mineRoot, theirRoot, 'create_proof root')
  assert.deepEqual([...mineNodes].sort(), [...theirNodes].sort(), 'create_proof nodes (as a set: the original returns them unordered)')
  assert.deepEqual(await ours.decode_proof(mineRoot, mineNodes), await original.decode_proof(theirRoot, theirNodes), 'the edited proof decodes the same')
})
