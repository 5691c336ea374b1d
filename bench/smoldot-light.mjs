// smoldot's side of bench/light-client.bench.ts (in its own process: smoldot keeps Node alive after
// terminate). Times addChain → `initialized`, then `Metadata_metadata` calls and storage reads at the
// finalized block; prints one `RESULT {json}` line.
// Usage: node smoldot-light.mjs <spec.json> <bootnode> <storage key hex> <runs>
import { connect, finish } from '../test/support/smoldot-rpc.mjs'

const [specFile, bootNode, key, runs] = process.argv.slice(2)
const t0 = performance.now()
const { call, waitFor, events } = await connect(specFile, bootNode)
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
const firstCallMs = calls[0]
finish({ initMs, firstCallMs, callMs: median(calls), readMs: median(reads), rssMiB: process.memoryUsage().rss / 2 ** 20 })
