// Light client, side by side with smoldot 3.4.1 on the same `sublight dev` devnet (node-template, a
// local peer): addChain → `initialized` (warp sync + runtime), `chainHead_v1_call` Metadata_metadata and
// `chainHead_v1_storage` value latency at the finalized block: RUNS calls and reads in turn in each process
// (the first call after `initialized` on its own: the proof fetched and run on a runtime the follow
// compiled; the first read on its own too: for us it is the first run of the read path's JavaScript).
// ROUNDS rounds, each a fresh process of each client, interleaved (sublight, smoldot, sublight, …); every
// figure is the median over the rounds of the per-process figure (a per-process median for calls and
// reads), so one slow moment of this shared machine does not make a row. Each client runs in its own
// plain Node process (sublight from its compiled package, built here first); ratio = sublight / smoldot
// (lower is better).
import { readFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { toHex } from '../src/codec/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey } from '../src/crypto/index.ts'
import { DevNode } from '../src/full-node/index.ts'
import { buildPackage, row } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const RUNS = Number(process.env.RUNS ?? 15)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
buildPackage()
const specPath = `${FX}/chain-specs/node-template.json`
const spec = parseChainSpec(readFileSync(specPath, 'utf8'))
const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
while (dev.chain.finalized().number < 1) await new Promise((r) => setTimeout(r, 100))
const addr = dev.host.addresses()[0]
const key = toHex(storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey]))
const script = new URL('./light-client-run.mjs', import.meta.url).pathname
const run = async (impl: 'sublight' | 'smoldot') => {
  const { stdout } = await promisify(execFile)(process.execPath, [script, impl, specPath, addr, key, String(RUNS)], { timeout: 300_000, maxBuffer: 64 << 20 })
  return JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as Result
}
type Result = { initMs: number; firstCallMs: number; callMs: number; firstReadMs: number; readMs: number; rssMiB: number }
const rounds: { ours: Result; theirs: Result }[] = []
for (let i = 0; i < ROUNDS; i++) rounds.push({ ours: await run('sublight'), theirs: await run('smoldot') })
const medianOf = (pick: (r: Result) => number, side: 'ours' | 'theirs') => {
  const xs = rounds.map((r) => pick(r[side])).sort((a, b) => a - b)
  return xs[Math.floor(xs.length / 2)]
}
const both = (pick: (r: Result) => number): [number, number] => [medianOf(pick, 'ours'), medianOf(pick, 'theirs')]
row('addChain → initialized (warp + runtime)', ...both((r) => r.initMs))
row('first chainHead_v1_call Metadata_metadata after initialized', ...both((r) => r.firstCallMs))
row('chainHead_v1_call Metadata_metadata', ...both((r) => r.callMs))
row('first chainHead_v1_storage value', ...both((r) => r.firstReadMs))
row('chainHead_v1_storage value', ...both((r) => r.readMs))
const [ours, theirs] = [{ rssMiB: medianOf((r) => r.rssMiB, 'ours') }, { rssMiB: medianOf((r) => r.rssMiB, 'theirs') }]
console.log(`${'RSS of the client process after the runs'.padEnd(44)} sublight ${ours.rssMiB.toFixed(0).padStart(9)} MiB  smoldot ${theirs.rssMiB.toFixed(0).padStart(9)} MiB   ratio ${(ours.rssMiB / theirs.rssMiB).toFixed(3)}×`)
await dev.stop()
process.exit(0)
