// One light client's side of bench/light-client.bench.ts (and the warp rows of warp and relay-devnet),
// in its own plain Node process: smoldot, or sublight from its compiled package (`npm run build` first)
// as users run it (with SUBLIGHT_DIST=0 from source: the process then needs `--import tsx`). Times
// addChain → `initialized`, then `Metadata_metadata` calls and storage reads at the finalized block, in
// turn; prints one `RESULT {json}` line (the first call and read on their own, and the medians).
// Usage: node light-client-run.mjs <smoldot|sublight> <spec.json> <bootnode> <storage key hex> <runs>
import { connect, finish } from '../test/support/smoldot-rpc.mjs'

const [impl, specFile, bootNode, key, runs] = process.argv.slice(2)
const sublight = impl === 'sublight' ? (process.env.SUBLIGHT_DIST === '0' ? await import('../src/light-client/index.ts') : await import('../dist/index.js')) : undefined
const t0 = performance.now()
const { call, waitFor, events } = await connect(specFile, bootNode, sublight?.start)
const sub = (await call('chainHead_v1_follow', [true])).result
const init = await waitFor((e) => e.event === 'initialized', 60_000)
const initMs = performance.now() - t0
const hash = init.finalizedBlockHashes.at(-1)
const timeOp = async (start) => {
  const t = performance.now()
  const op = (await start()).result
  await waitFor((e) => e.operationId === op.operationId && (e.event === 'operationCallDone' || e.event === 'operationStorageDone' || e.event === 'operationError' || e.event === 'operationInaccessible'), 30_000)
  events.length = 0
  return performance.now() - t
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const calls = []
const reads = []
for (let i = 0; i < Number(runs); i++) {
  calls.push(await timeOp(() => call('chainHead_v1_call', [sub, hash, 'Metadata_metadata', '0x'])))
  reads.push(await timeOp(() => call('chainHead_v1_storage', [sub, hash, [{ key, type: 'value' }], null])))
}
const [firstCallMs, firstReadMs] = [calls[0], reads[0]]
finish({ initMs, firstCallMs, callMs: median(calls), firstReadMs, readMs: median(reads), rssMiB: process.memoryUsage().rss / 2 ** 20 })
