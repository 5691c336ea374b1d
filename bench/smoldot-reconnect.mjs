// smoldot's side of bench/reconnect.bench.ts (its own process): follows the chain through its one boot
// node and prints `FIN <number>` each time its finalized block changes (legacy JSON-RPC, polled every
// 200 ms), until killed.
// Usage: node smoldot-reconnect.mjs <spec.json> <bootnode>
import { connect } from '../test/support/smoldot-rpc.mjs'

const [specFile, bootNode] = process.argv.slice(2)
const { call } = await connect(specFile, bootNode)
let last = -1
for (;;) {
  const hash = (await call('chain_getFinalizedHead', [])).result
  const header = hash && (await call('chain_getHeader', [hash])).result
  const n = header ? Number(header.number) : -1
  if (n !== last) process.stdout.write(`FIN ${(last = n)}\n`)
  await new Promise((r) => setTimeout(r, 200))
}
