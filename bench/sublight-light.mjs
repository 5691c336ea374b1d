// sublight's side of bench/light-client.bench.ts: the same steps as smoldot-light.mjs, through
// sublight's smoldot-compatible API, from the compiled package (`npm run build` first) in a plain Node
// process, as users run it; with SUBLIGHT_DIST=0 from source (the process then needs `--import tsx`).
// Prints one `RESULT {json}` line.
// Usage: node sublight-light.mjs <spec.json> <bootnode> <storage key hex> <runs>
import { readFileSync } from 'node:fs'

const { start } = process.env.SUBLIGHT_DIST === '0' ? await import('../src/light-client/index.ts') : await import('../dist/index.js')

const [specFile, bootNode, key, runs] = process.argv.slice(2)
const t0 = performance.now()
const spec = JSON.parse(readFileSync(specFile, 'utf8'))
spec.bootNodes = [bootNode]
const client = start({ maxLogLevel: 1, logCallback: () => {} })
const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
const pending = new Map()
let events = []
let onEvent = () => {}
void (async () => {
  for await (const text of chain.jsonRpcResponses) {
    const m = JSON.parse(text)
    if (m.id !== undefined) pending.get(m.id)?.(m)
    else {
      events.push(m.params.result)
      onEvent()
    }
  }
})()
let id = 1
const call = (method, params) => new Promise((r) => {
  const i = id++
  pending.set(i, r)
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }))
})
const waitFor = (pred) => new Promise((resolve) => {
  const check = () => {
    const e = events.find(pred)
    if (e) resolve(e)
  }
  onEvent = check
  check()
})
const sub = (await call('chainHead_v1_follow', [true])).result
const init = await waitFor((e) => e.event === 'initialized')
const initMs = performance.now() - t0
const hash = init.finalizedBlockHashes.at(-1)
const timeOp = async (startOp) => {
  const t = performance.now()
  const op = (await startOp()).result
  await waitFor((e) => e.operationId === op.operationId && ['operationCallDone', 'operationStorageDone', 'operationError', 'operationInaccessible'].includes(e.event))
  events = []
  return performance.now() - t
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const calls = []
const reads = []
for (let i = 0; i < Number(runs); i++) {
  calls.push(await timeOp(() => call('chainHead_v1_call', [sub, hash, 'Metadata_metadata', '0x'])))
  reads.push(await timeOp(() => call('chainHead_v1_storage', [sub, hash, [{ key, type: 'value' }], null])))
}
const rssMiB = process.memoryUsage().rss / 2 ** 20
const firstCallMs = calls[0]
process.stdout.write(`\nRESULT ${JSON.stringify({ initMs, firstCallMs, callMs: median(calls), readMs: median(reads), rssMiB })}\n`)
await client.terminate()
