// smoldot's genesis hashes, offline (test/light-client/relay-pairing.test.ts, test/cli/known-chains.test.ts):
// each relay spec given is added, then each parachain spec with all of them as potential relay chains.
// Prints `RESULT {"<name>": {"genesisHash": "0x…"} | {"error": "<message>"}}`.
// Usage: node smoldot-pairing.mjs <relays.json> <paras.json>  (each a JSON object: name → spec text)
//        node smoldot-pairing.mjs --known-chains  (every chain of @substrate/connect-known-chains)
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'

const { relays: relaySpecs, paras: paraSpecs } = process.argv[2] === '--known-chains' ? await knownChains() : { relays: JSON.parse(readFileSync(process.argv[2], 'utf8')), paras: JSON.parse(readFileSync(process.argv[3], 'utf8')) }
async function knownChains() {
  const specs = Object.entries(await import('@substrate/connect-known-chains')).filter(([, s]) => typeof s === 'string')
  const isPara = ([, s]) => Boolean(JSON.parse(s).relay_chain)
  return { relays: Object.fromEntries(specs.filter((e) => !isPara(e))), paras: Object.fromEntries(specs.filter(isPara)) }
}
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
for (const [name, spec] of Object.entries(relaySpecs)) {
  const chain = await client.addChain({ chainSpec: spec })
  relays.push(chain)
  out[name] = { genesisHash: await ask(chain) }
}
for (const [name, spec] of Object.entries(paraSpecs)) {
  try {
    out[name] = { genesisHash: await ask(await client.addChain({ chainSpec: spec, potentialRelayChains: relays })) }
  } catch (e) {
    out[name] = { error: e.message }
  }
}
console.log(`RESULT ${JSON.stringify(out)}`)
process.exit(0)
