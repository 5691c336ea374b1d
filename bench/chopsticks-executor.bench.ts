// sublight/chopsticks-executor against @acala-network/chopsticks-executor, through `run_task` with
// storage served by asynchronous callbacks, as Chopsticks calls them: warm Metadata_metadata, and a whole
// block built the way Chopsticks builds one — one task per call (initialize, inherents, each inherent,
// 100 signed transfers, finalize), each over the state the previous diffs made — on node-template and
// polkadot-dev. (Chopsticks' own `dev_newBlock` with each executor is timed by
// test/chopsticks-executor/chopsticks.test.ts, which prints it.)
import { readFileSync } from 'node:fs'
import * as original from '@acala-network/chopsticks-executor'
import * as ours from '../src/chopsticks-executor/index.ts'
import type { JsCallback, TaskCall, TaskResponse } from '../src/chopsticks-executor/index.ts'
import { genesisHash, genesisHeader, genesisStorage, parseChainSpec, type RawGenesis } from '../src/chain-spec/index.ts'
import { Reader, Writer, fromHex, toHex, utf8 } from '../src/codec/index.ts'
import { sr25519FromSuri } from '../src/crypto/index.ts'
import { MemoryStorage, Runtime } from '../src/executor/index.ts'
import { AURA_ENGINE, encodeHeader, type Header } from '../src/header/index.ts'
import { babePreRuntimeItem, inherentData } from '../src/full-node/index.ts'
import { signedExtrinsic, signingContext } from '../src/full-node/dev-extrinsics.ts'
import { callIndex } from '../src/metadata/index.ts'
import { row, timeMedianAsync } from './util.ts'
import { chopsticksCallbacks } from '../test/support/chopsticks.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
type Run = (t: TaskCall, cb: JsCallback) => Promise<TaskResponse>
const theirs: Run = (t, cb) => original.run_task({ ...t, id: 1 }, cb) as Promise<TaskResponse>
const mine: Run = (t, cb) => ours.run_task(t, cb)

const task = (wasm: string, method: string, args: string[]): TaskCall => ({ wasm: wasm as TaskCall['wasm'], calls: [[method, args as `0x${string}`[]]], mockSignatureHost: 0, allowUnresolvedImports: false, runtimeLogLevel: 0, storageProofSize: 0 })

async function call(run: Run, wasm: string, st: MemoryStorage, method: string, args: string[]): Promise<{ st: MemoryStorage; result: string }> {
  const r = await run(task(wasm, method, args), chopsticksCallbacks(st))
  if (!('Call' in r)) throw new Error(`${method}: ${r.Error}`)
  return { st: st.withChanges({ top: r.Call.storageDiff.map(([k, v]) => [fromHex(k), v ? fromHex(v) : null]), children: [] }), result: r.Call.result }
}

const u64 = (v: bigint) => new Writer(8).u64(v).finish()

for (const name of ['node-template', 'polkadot-dev']) {
  const spec = parseChainSpec(readFileSync(`${FX}/chain-specs/${name}.json`, 'utf8'))
  const genesis = genesisStorage(spec.genesis as RawGenesis)
  const code = genesis.get(utf8(':code'))!
  const wasm = toHex(code)
  row(`${name} run_task Metadata_metadata warm`, await timeMedianAsync(() => mine(task(wasm, 'Metadata_metadata', []), chopsticksCallbacks(genesis)), 7, 2), await timeMedianAsync(() => theirs(task(wasm, 'Metadata_metadata', []), chopsticksCallbacks(genesis)), 7, 2))

  const rt = Runtime.load(code)
  const isBabe = WebAssembly.Module.exports(new WebAssembly.Module(rt.wasm as Uint8Array<ArrayBuffer>)).some((e) => e.name === 'BabeApi_configuration')
  const slotMs = new Reader(rt.call(isBabe ? 'BabeApi_configuration' : 'AuraApi_slot_duration', new Uint8Array(), { storage: genesis }).output).u64()
  const slot = 1_700_000_000_000n / slotMs
  const header: Header = { parentHash: genesisHash(spec), number: 1, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [isBabe ? babePreRuntimeItem({ kind: 'secondaryPlain', authorityIndex: 0, slot }) : { type: 'preRuntime', engine: AURA_ENGINE, payload: u64(slot) }] }
  const items: Record<string, Uint8Array> = { timstap0: u64(slot * slotMs) }
  if (isBabe) Object.assign(items, { babeslot: u64(slot), parachn0: new Writer().compact(0).compact(0).compact(0).bytes(encodeHeader(genesisHeader(spec))).finish() })
  const signing = signingContext(genesis, genesisHash(spec))
  const transfer = new Writer().bytes(new Uint8Array(callIndex(signing.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(sr25519FromSuri('//Bob').publicKey).compact(10n ** 10n).finish()
  const alice = sr25519FromSuri('//Alice')
  const transfers = Array.from({ length: 100 }, (_, i) => toHex(signedExtrinsic(signing, alice, i, transfer)))

  const block = async (run: Run) => {
    let { st } = await call(run, wasm, genesis, 'Core_initialize_block', [toHex(encodeHeader(header))])
    const inh = await call(run, wasm, st, 'BlockBuilder_inherent_extrinsics', [toHex(inherentData(items))])
    const inherents = new Reader(fromHex(inh.result)).vec((r) => {
      const start = r.pos
      r.bytes_(r.compactNumber())
      return toHex(r.bytes.slice(start, r.pos))
    })
    for (const x of [...inherents, ...transfers]) {
      const r = await call(run, wasm, st, 'BlockBuilder_apply_extrinsic', [x])
      if (r.result !== '0x0000') throw new Error(`${name}: extrinsic not applied: ${r.result}`)
      st = r.st
    }
    return (await call(run, wasm, st, 'BlockBuilder_finalize_block', [])).result
  }
  // the same block on both sides first (the header the runtime finalizes holds the state root)
  if ((await block(mine)) !== (await block(theirs))) throw new Error(`${name}: the two executors built different blocks`)
  row(`${name} block: initialize + inherents + 100 transfers + finalize (one task per call)`, await timeMedianAsync(() => block(mine), 3, 1), await timeMedianAsync(() => block(theirs), 3, 1))
}
await ours.destroy()
