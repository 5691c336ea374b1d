// Child process for terminate.test.ts: adds a chain (no reachable peer), starts a follow, terminates,
// checks that the chain refuses further use, prints `terminated`, and must then exit by itself.
import { readFileSync } from 'node:fs'
import { AlreadyDestroyedError, start } from '../../src/light-client/index.ts'

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'))
spec.bootNodes = ['/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5']
const client = start({ maxLogLevel: 0 })
const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
chain.sendJsonRpc('{"jsonrpc":"2.0","id":1,"method":"chainHead_v1_follow","params":[true]}')
await chain.nextJsonRpcResponse()
await client.terminate()
let refused = false
try {
  chain.sendJsonRpc('{"jsonrpc":"2.0","id":2,"method":"system_name","params":[]}')
} catch (e) {
  refused = e instanceof AlreadyDestroyedError
}
process.stdout.write(`terminated ${refused}\n`)
