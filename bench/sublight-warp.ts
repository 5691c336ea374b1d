// sublight's side of bench/warp.bench.ts (its own process): addChain → `initialized` through the
// smoldot-compatible API, and the longest wait of a 10 ms interval timer from the peer's block-announces
// handshake to `initialized` (the warp: fragments verified in slices, the runtime and epochs fetched).
// Prints one `RESULT {json}` line.
// Usage: node --import tsx sublight-warp.ts <spec.json> <bootnode>
import { readFileSync } from 'node:fs'
import { start } from '../src/light-client/index.ts'

const [specFile, bootNode] = process.argv.slice(2)
const t0 = performance.now()
const spec = JSON.parse(readFileSync(specFile, 'utf8'))
spec.bootNodes = [bootNode]
let last = performance.now()
let maxLag = 0
let startLag: number | undefined
let fragments = 0
const probe = setInterval(() => {
  const now = performance.now()
  maxLag = Math.max(maxLag, now - last - 10)
  last = now
}, 10)
const client = start({
  maxLogLevel: 4,
  logCallback: (_level, _target, message) => {
    if (startLag === undefined && /block-announces handshake/.test(message)) {
      startLag = maxLag
      maxLag = 0
    }
    const m = /warp sync: finalized #\d+ .* \((\d+) fragments/.exec(message)
    if (m) fragments = Number(m[1])
  },
})
const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [false] }))
for await (const text of chain.jsonRpcResponses) if (JSON.parse(text).params?.result?.event === 'initialized') break
const initMs = performance.now() - t0
clearInterval(probe)
console.log(`RESULT ${JSON.stringify({ initMs, warpStallMs: maxLag, startStallMs: startLag ?? null, fragments })}`)
await client.terminate()
process.exit(0)
