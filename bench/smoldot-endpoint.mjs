// The reference for bench/light-endpoint.bench.ts: smoldot 3.4.1 behind a local WebSocket JSON-RPC
// endpoint (what `sublight light` is), one chain, one connection at a time: messages go to
// `chain.sendJsonRpc` as they are, responses and notifications come back as they are.
// Prints `JSON-RPC on ws://127.0.0.1:<port>` once listening. Usage: node smoldot-endpoint.mjs <spec.json> <bootnode>
import { readFileSync } from 'node:fs'
import { WebSocketServer } from 'ws'
import { start } from 'smoldot'

const [specFile, bootNode] = process.argv.slice(2)
const spec = JSON.parse(readFileSync(specFile, 'utf8'))
spec.bootNodes = [bootNode]
const client = start({ maxLogLevel: 1, logCallback: () => {} })
const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
let socket
void (async () => {
  for (;;) {
    const text = await chain.nextJsonRpcResponse()
    if (socket?.readyState === 1) socket.send(text)
  }
})()
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
wss.on('connection', (ws) => {
  socket = ws
  ws.on('message', (d) => chain.sendJsonRpc(d.toString()))
})
wss.on('listening', () => console.log(`JSON-RPC on ws://127.0.0.1:${wss.address().port}`))
