// Asks the `smoldot` package (the reference light client) for chainSpec_v1_genesisHash of each chain
// spec given on the command line (relay chains before their parachains) and prints {file: hash} as JSON.
// Runs in its own process because smoldot keeps timers alive after terminate().
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'

const files = process.argv.slice(2)
const client = start({ maxLogLevel: 0, logCallback: () => {} })
const result = {}
const relays = new Map()
const ordered = files.map((f) => [f, JSON.parse(readFileSync(f, 'utf8'))]).sort((a, b) => Number(Boolean(a[1].relay_chain ?? a[1].relayChain)) - Number(Boolean(b[1].relay_chain ?? b[1].relayChain)))
for (const [file, json] of ordered) {
  const relayId = json.relay_chain ?? json.relayChain
  const potentialRelayChains = relayId && relays.has(relayId) ? [relays.get(relayId)] : []
  const chain = await client.addChain({ chainSpec: JSON.stringify(json), potentialRelayChains })
  if (!relayId) relays.set(json.id, chain)
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainSpec_v1_genesisHash', params: [] }))
  for (;;) {
    const msg = JSON.parse(await chain.nextJsonRpcResponse())
    if (msg.id === 1) {
      result[file] = msg.result
      break
    }
  }
}
process.stdout.write('\nRESULT ' + JSON.stringify(result) + '\n', () => process.exit(0))
