// One light client's side of bench/parachain.bench.ts (its own process): sublight or smoldot adds the
// relay chain (no JSON-RPC) and the parachain with it as potential relay chain, follows the parachain,
// and prints `RESULT {json}`: the ms from the first addChain to the parachain's `initialized`, and the
// wall-clock time (Date.now(), comparable across processes) each parachain block was reported finalized.
// Usage: [SUBLIGHT_DIST=1] node [--import tsx] parachain-client.mjs <sublight|smoldot> <relay.json> <para.json> <followMs>
import { readFileSync } from 'node:fs'

const [impl, relayFile, paraFile, followMs] = process.argv.slice(2)
const { start } = impl === 'smoldot' ? await import('smoldot') : process.env.SUBLIGHT_DIST === '1' ? await import('../dist/index.js') : await import('../src/light-client/index.ts')
const client = start({ maxLogLevel: 1 })
const t0 = performance.now()
const relay = await client.addChain({ chainSpec: readFileSync(relayFile, 'utf8'), disableJsonRpc: true })
const para = await client.addChain({ chainSpec: readFileSync(paraFile, 'utf8'), potentialRelayChains: [relay] })
para.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [false] }))
const out = { finalizedAt: {} }
const deadline = Date.now() + Number(followMs)
while (Date.now() < deadline) {
  const text = await Promise.race([para.nextJsonRpcResponse(), new Promise((r) => setTimeout(() => r('{}'), Math.max(1, deadline - Date.now())))])
  const e = JSON.parse(text).params?.result
  if (!e) continue
  if (e.event === 'initialized' && out.initMs === undefined) out.initMs = performance.now() - t0
  if (e.event === 'finalized') for (const h of e.finalizedBlockHashes) out.finalizedAt[h] = Date.now()
}
process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`, () => process.exit(0))
