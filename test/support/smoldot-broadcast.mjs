// Broadcasts a transaction with smoldot: start it with our node as only boot node, follow the chain
// until initialized (so smoldot has the runtime to validate with), call transaction_v1_broadcast, and
// stay alive (smoldot gossips it to its peers) until killed. Prints `RESULT {json}` after the call.
// Usage: node smoldot-broadcast.mjs <spec.json> <bootnode multiaddr> <transaction hex>
import { connect } from './smoldot-rpc.mjs'

const [specFile, bootNode, tx] = process.argv.slice(2)
const { call, waitFor } = await connect(specFile, bootNode)
const out = {}
try {
  await call('chainHead_v1_follow', [true])
  await waitFor((e) => e.event === 'initialized', 60_000)
  out.broadcast = await call('transaction_v1_broadcast', [tx])
} catch (e) {
  out.error = String(e)
}
process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`)
setInterval(() => {}, 1000)
