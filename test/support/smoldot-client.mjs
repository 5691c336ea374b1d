// Drives the `smoldot` package (the reference light client) against a boot node: follows the chain,
// reads a storage value, makes a runtime call, asks system_health; prints one `RESULT {json}` line.
// Usage: node smoldot-client.mjs <spec.json> <bootnode multiaddr> <storage key hex>
import { connect, finish } from './smoldot-rpc.mjs'

const [specFile, bootNode, storageKey] = process.argv.slice(2)
const { call, waitFor } = await connect(specFile, bootNode)
const out = {}
const t0 = Date.now()
try {
  const sub = (await call('chainHead_v1_follow', [true])).result
  const init = await waitFor((e) => e.event === 'initialized', 40_000)
  out.initialized = { finalized: init.finalizedBlockHashes, runtime: init.finalizedBlockRuntime, ms: Date.now() - t0 }
  const hash = init.finalizedBlockHashes[init.finalizedBlockHashes.length - 1]
  const st = (await call('chainHead_v1_storage', [sub, hash, [{ key: storageKey, type: 'value' }], null])).result
  out.storage = await waitFor((e) => ['operationStorageItems', 'operationError', 'operationInaccessible'].includes(e.event) && e.operationId === st.operationId, 20_000)
  const c = (await call('chainHead_v1_call', [sub, hash, 'Metadata_metadata', '0x'])).result
  const done = await waitFor((e) => ['operationCallDone', 'operationError', 'operationInaccessible'].includes(e.event) && e.operationId === c.operationId, 20_000)
  out.call = done.event === 'operationCallDone' ? { event: done.event, output: done.output } : done
  out.health = (await call('system_health', [])).result
} catch (e) {
  out.error = String(e)
}
out.totalMs = Date.now() - t0
finish(out)
