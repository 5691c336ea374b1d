// smoldot's genesis hash (chainSpec_v1_genesisHash) of every well-known chain of
// @substrate/connect-known-chains, offline: relay chains first, then each parachain with the relays as
// its potential relay chains. Prints `RESULT {"<name>": "0x…"}`.
import * as specs from '@substrate/connect-known-chains'
import { start } from 'smoldot'

const client = start({ maxLogLevel: 0 })
const ask = async (chain) => {
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainSpec_v1_genesisHash', params: [] }))
  for (;;) {
    const m = JSON.parse(await chain.nextJsonRpcResponse())
    if (m.id === 1) return m.result
  }
}
const out = {}
const relays = []
const entries = Object.entries(specs).filter(([, s]) => typeof s === 'string')
for (const [name, spec] of entries.filter(([, s]) => !JSON.parse(s).relay_chain)) {
  const chain = await client.addChain({ chainSpec: spec })
  relays.push(chain)
  out[name] = await ask(chain)
}
for (const [name, spec] of entries.filter(([, s]) => JSON.parse(s).relay_chain)) {
  const chain = await client.addChain({ chainSpec: spec, potentialRelayChains: relays })
  out[name] = await ask(chain)
}
console.log(`RESULT ${JSON.stringify(out)}`)
process.exit(0)
