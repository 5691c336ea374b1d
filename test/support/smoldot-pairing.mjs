// smoldot's side of test/light-client/relay-pairing.test.ts, offline: each relay spec given (boot nodes
// removed) is added, then each parachain spec with all of them as potential relay chains. Prints
// `RESULT {"<file>": {"genesisHash": "0x…"} | {"error": "<message>"}}`.
// Usage: node smoldot-pairing.mjs <relays.json> <paras.json>  (each a JSON object: name → spec text)
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'

const [relaysFile, parasFile] = process.argv.slice(2)
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
for (const [name, spec] of Object.entries(JSON.parse(readFileSync(relaysFile, 'utf8')))) {
  const chain = await client.addChain({ chainSpec: spec })
  relays.push(chain)
  out[name] = { genesisHash: await ask(chain) }
}
for (const [name, spec] of Object.entries(JSON.parse(readFileSync(parasFile, 'utf8')))) {
  try {
    out[name] = { genesisHash: await ask(await client.addChain({ chainSpec: spec, potentialRelayChains: relays })) }
  } catch (e) {
    out[name] = { error: e.message }
  }
}
console.log(`RESULT ${JSON.stringify(out)}`)
process.exit(0)
