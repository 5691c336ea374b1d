// Drives the `smoldot` package (the reference light client) against a boot node: adds the chain, follows
// it with chainHead_v1, reads a storage value, makes a runtime call, asks system_health, and prints one
// `RESULT {json}` line. Run in its own process (smoldot keeps timers alive after terminate()).
// Usage: node smoldot-client.mjs <spec.json> <bootnode multiaddr> <storage key hex>
import { readFileSync } from 'node:fs'
import { start } from 'smoldot'

const [specFile, bootNode, storageKey] = process.argv.slice(2)
const spec = JSON.parse(readFileSync(specFile, 'utf8'))
spec.bootNodes = [bootNode]
const client = start({ maxLogLevel: Number(process.env.SMOLDOT_LOG ?? 1), logCallback: (l, t, m) => process.stderr.write(`[smoldot ${t}] ${m}\n`) })
const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
const out = {}
let nextId = 1
const pending = new Map()
const followEvents = []
let onFollow = () => {}
;(async () => {
  for (;;) {
    const msg = JSON.parse(await chain.nextJsonRpcResponse())
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg)
      pending.delete(msg.id)
    } else if (msg.method === 'chainHead_v1_followEvent') {
      followEvents.push(msg.params.result)
      onFollow()
    }
  }
})()
const call = (method, params) =>
  new Promise((resolve) => {
    const id = nextId++
    pending.set(id, resolve)
    chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
  })
const waitEvent = (pred, ms) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout waiting for a follow event')), ms)
    const check = () => {
      const e = followEvents.find(pred)
      if (e) {
        clearTimeout(timer)
        onFollow = () => {}
        resolve(e)
      }
    }
    onFollow = check
    check()
  })
const t0 = Date.now()
try {
  const sub = (await call('chainHead_v1_follow', [true])).result
  const init = await waitEvent((e) => e.event === 'initialized', 40_000)
  out.initialized = { finalized: init.finalizedBlockHashes, runtime: init.finalizedBlockRuntime, ms: Date.now() - t0 }
  const hash = init.finalizedBlockHashes[init.finalizedBlockHashes.length - 1]
  const st = (await call('chainHead_v1_storage', [sub, hash, [{ key: storageKey, type: 'value' }], null])).result
  out.storageStarted = st
  const items = await waitEvent((e) => (e.event === 'operationStorageItems' || e.event === 'operationError' || e.event === 'operationInaccessible') && e.operationId === st.operationId, 20_000)
  out.storage = items
  const c = (await call('chainHead_v1_call', [sub, hash, 'Metadata_metadata', '0x'])).result
  out.callStarted = c
  const done = await waitEvent((e) => (e.event === 'operationCallDone' || e.event === 'operationError' || e.event === 'operationInaccessible') && e.operationId === c.operationId, 20_000)
  out.call = done.event === 'operationCallDone' ? { event: done.event, output: done.output } : done
  out.health = (await call('system_health', [])).result
} catch (e) {
  out.error = String(e)
}
out.totalMs = Date.now() - t0
process.stdout.write(`\nRESULT ${JSON.stringify(out)}\n`, () => process.exit(0))
