// Offline, smoldot starts each given chain spec from what the spec alone proves (its lightSyncState
// checkpoint, else genesis): prints `RESULT {"<file>": {"hash", "header"}}` with the block each chain
// initializes on (follow without runtime) and that block's header. Usage: node smoldot-checkpoint-init.mjs <spec.json>...
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { start } from 'smoldot'

const client = start({ maxLogLevel: 1, logCallback: () => {} })
const out = {}
await Promise.all(
  process.argv.slice(2).map(async (file) => {
    const spec = JSON.parse(readFileSync(file, 'utf8'))
    spec.bootNodes = []
    const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
    const send = (id, method, params) => chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    send(1, 'chainHead_v1_follow', [false])
    let sub
    for (;;) {
      const m = JSON.parse(await chain.nextJsonRpcResponse())
      if (m.id === 1) sub = m.result
      else if (m.params?.result?.event === 'initialized') {
        const hash = m.params.result.finalizedBlockHashes.at(-1)
        send(2, 'chainHead_v1_header', [sub, hash])
        out[basename(file)] = { hash }
      } else if (m.id === 2) {
        out[basename(file)].header = m.result
        break
      }
    }
  }),
)
console.log(`RESULT ${JSON.stringify(out)}`)
process.exit(0)
