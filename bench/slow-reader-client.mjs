// One light client's side of bench/slow-reader.bench.ts (its own process): sublight or smoldot, through
// the same smoldot-compatible API, opens a chainHead_v1 follow and then reads one JSON-RPC message every
// READ_EVERY_MS (an app that reads slowly); every 15 s prints `RSS <bytes> READ <n> STOP <0|1>` (STOP: the
// follow got its `stop` event), until killed.
// Usage: node --import tsx slow-reader-client.mjs <sublight|smoldot> <spec.json> <bootnode> <readEveryMs>
import { clientFor } from './client-for.mjs'

const [impl, specFile, bootNode, readEvery] = process.argv.slice(2)
const { chain } = await clientFor(impl, specFile, bootNode)
chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [true] }))
let read = 0
let stopped = 0
setInterval(() => {
  globalThis.gc?.()
  process.stdout.write(`RSS ${process.memoryUsage().rss} READ ${read} STOP ${stopped}\n`)
}, 15_000)
// a line on stdin: read what is queued at once (until 3 s pass with nothing) and report how much it was
let draining = false
process.stdin.on('data', () => (draining = true))
let queued = 0
for (;;) {
  const next = chain.nextJsonRpcResponse()
  const text = draining ? await Promise.race([next, new Promise((r) => setTimeout(() => r(undefined), 3_000))]) : await next
  if (text === undefined) break
  const msg = JSON.parse(text)
  read++
  if (draining) queued++
  if (msg.params?.result?.event === 'stop') stopped = 1
  if (!draining) await new Promise((r) => setTimeout(r, Number(readEvery)))
}
process.stdout.write(`DRAIN ${queued} STOP ${stopped}\n`, () => process.exit(0))
