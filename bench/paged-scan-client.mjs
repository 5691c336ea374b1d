// One light client's side of bench/paged-scan.bench.ts (its own process): sublight or smoldot, through
// the same smoldot-compatible API, pages through every key under a prefix with state_getKeysPaged
// (pages of 100, each starting after the last key of the one before) at the finalized block, and prints
// `RESULT {"keys":…, "distinct":…, "ordered":…, "pages":…, "ms":…}` (ordered: every page in key order, after its start key).
// Usage: node --import tsx paged-scan-client.mjs <sublight|smoldot> <spec.json> <bootnode> <prefix>
import { clientFor } from './client-for.mjs'

const [impl, specFile, bootNode, prefix] = process.argv.slice(2)
const { chain } = await clientFor(impl, specFile, bootNode)
let nextId = 1
const pending = new Map()
;(async () => {
  for (;;) {
    const msg = JSON.parse(await chain.nextJsonRpcResponse())
    pending.get(msg.id)?.(msg)
    pending.delete(msg.id)
  }
})().catch(() => {})
const call = (method, params) =>
  new Promise((resolve) => {
    const id = nextId++
    pending.set(id, resolve)
    chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
  })
// wait until the client follows the node (finalized past genesis)
let at
for (;;) {
  const fin = (await call('chain_getFinalizedHead', [])).result
  const header = fin && (await call('chain_getHeader', [fin])).result
  if (header && Number(header.number) >= 1) {
    at = fin
    break
  }
  await new Promise((r) => setTimeout(r, 500))
}
const t0 = performance.now()
let keys = 0
let pages = 0
const distinct = new Set()
let ordered = true
let startKey = null
for (;;) {
  const r = await call('state_getKeysPaged', [prefix, 100, startKey, at])
  if (r.error) throw new Error(`${impl}: ${r.error.message}`)
  // (smoldot may answer a page with fewer keys than asked while more follow: only an empty page ends it)
  if (r.result.length === 0) break
  pages++
  keys += r.result.length
  for (const [i, k] of r.result.entries()) {
    distinct.add(k)
    if (k <= (i ? r.result[i - 1] : (startKey ?? ''))) ordered = false
  }
  startKey = r.result.at(-1)
}
process.stdout.write(`\nRESULT ${JSON.stringify({ keys, distinct: distinct.size, ordered, pages, ms: Math.round(performance.now() - t0) })}\n`, () => process.exit(0))
