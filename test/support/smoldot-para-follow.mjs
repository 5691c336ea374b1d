// Follows a parachain through its relay chain with the `smoldot` package (the reference light client):
// adds the relay chain (no JSON-RPC) and the parachain with it as potential relay chain, then
// chainHead_v1_follow(false) on the parachain until `until` finalized blocks were reported or `ms` passed.
// Prints one `RESULT {json}` line: the follow events and the finalized hashes in order.
// Usage: node smoldot-para-follow.mjs <relay spec.json> <para spec.json> <finalized blocks to wait for> <ms>
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'
import { finish } from './smoldot-rpc.mjs'

const [relayFile, paraFile, until, ms] = process.argv.slice(2)
const client = start({ maxLogLevel: Number(process.env.SMOLDOT_LOG ?? 1), logCallback: (l, t, m) => process.stderr.write(`[smoldot ${t}] ${m}\n`) })
const out = { events: [], finalized: [] }
const t0 = Date.now()
try {
  const relay = await client.addChain({ chainSpec: readFileSync(relayFile, 'utf8'), disableJsonRpc: true })
  const para = await client.addChain({ chainSpec: readFileSync(paraFile, 'utf8'), potentialRelayChains: [relay] })
  para.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [false] }))
  const deadline = t0 + Number(ms)
  while (out.finalized.length < Number(until) && Date.now() < deadline) {
    const msg = JSON.parse(await Promise.race([para.nextJsonRpcResponse(), new Promise((r) => setTimeout(() => r('{}'), Math.max(1, deadline - Date.now())))]))
    if (msg.method !== 'chainHead_v1_followEvent') continue
    const e = msg.params.result
    out.events.push(e.event)
    if (e.event === 'initialized') out.initialized = e.finalizedBlockHashes
    if (e.event === 'finalized') out.finalized.push(...e.finalizedBlockHashes)
    if (e.event === 'stop') break
  }
} catch (e) {
  out.error = String(e)
}
out.ms = Date.now() - t0
finish(out)
