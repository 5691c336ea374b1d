// Follows a chain with the `smoldot` package (chainHead_v1_follow without runtime) and prints each follow
// event as it comes, one `EVENT {json}` line each, until killed. For tests that compare smoldot's view of
// a live local network with our light client's, event by event.
// Usage: node smoldot-events.mjs <spec.json> <bootnode multiaddr>
import { connect } from './smoldot-rpc.mjs'

const [specFile, bootNode] = process.argv.slice(2)
const { call, events } = await connect(specFile, bootNode)
await call('chainHead_v1_follow', [false])
let printed = 0
setInterval(() => {
  while (printed < events.length) process.stdout.write(`EVENT ${JSON.stringify(events[printed++])}\n`)
}, 50)
