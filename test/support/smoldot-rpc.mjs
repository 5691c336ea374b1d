// Shared JSON-RPC plumbing for the smoldot harness scripts: start smoldot with one chain whose only
// boot node is ours, send requests, collect chainHead_v1 follow events, wait for one matching a
// predicate, and print the final `RESULT {json}` line before exiting (smoldot keeps Node alive). Any
// client with smoldot's API will do (`startClient`: sublight's `start` for the side-by-side benches).
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'

export async function connect(specFile, bootNode, startClient = start) {
  const spec = JSON.parse(readFileSync(specFile, 'utf8'))
  spec.bootNodes = [bootNode]
  const client = startClient({ maxLogLevel: Number(process.env.SMOLDOT_LOG ?? 1), logCallback: (l, t, m) => process.stderr.write(`[smoldot ${t}] ${m}\n`) })
  const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
  const events = []
  const pending = new Map()
  let nextId = 1
  let onEvent = () => {}
  ;(async () => {
    for (;;) {
      const msg = JSON.parse(await chain.nextJsonRpcResponse())
      if (msg.id !== undefined && pending.has(msg.id)) {
        pending.get(msg.id)(msg)
        pending.delete(msg.id)
      } else if (msg.method === 'chainHead_v1_followEvent') {
        events.push(msg.params.result)
        onEvent()
      }
    }
  })()
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++
      pending.set(id, resolve)
      chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  const waitFor = (pred, ms) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for a follow event')), ms)
      const check = () => {
        const e = events.find(pred)
        if (e) {
          clearTimeout(timer)
          onEvent = () => {}
          resolve(e)
        }
      }
      onEvent = check
      check()
    })
  return { call, waitFor, events }
}

export function finish(out) {
  process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`, () => process.exit(0))
}
