// Follows a live chain with the `smoldot` package for a while: chainHead_v1_follow(true) events, then
// System.Number and a runtime call (Core_version unless named) at the block smoldot initialized on.
// Prints one `RESULT {json}` line.
// Usage: node smoldot-follow.mjs <spec.json> <bootnode multiaddr> <System.Number key hex> <follow ms> [method]
import { connect, finish } from './smoldot-rpc.mjs'

const [specFile, bootNode, numberKey, followMs, method = 'Core_version'] = process.argv.slice(2)
const { call, waitFor, events } = await connect(specFile, bootNode)
const out = { events }
const t0 = Date.now()
try {
  const sub = (await call('chainHead_v1_follow', [true])).result
  const init = await waitFor((e) => e.event === 'initialized', 60_000)
  out.initMs = Date.now() - t0
  const hash = init.finalizedBlockHashes.at(-1)
  out.initializedAt = hash
  const st = (await call('chainHead_v1_storage', [sub, hash, [{ key: numberKey, type: 'value' }], null])).result
  // the items events (none when the key has no value there), up to operationStorageDone
  await waitFor((e) => e.operationId === st.operationId && e.event === 'operationStorageDone', 20_000)
  out.storage = { items: events.filter((e) => e.operationId === st.operationId && e.event === 'operationStorageItems').flatMap((e) => e.items) }
  const c = (await call('chainHead_v1_call', [sub, hash, method, '0x'])).result
  const done = await waitFor((e) => e.operationId === c.operationId, 20_000)
  out.call = { event: done.event, length: (done.output ?? '').length, output: done.output }
  await new Promise((r) => setTimeout(r, Number(followMs)))
} catch (e) {
  out.error = String(e)
}
finish(out)
