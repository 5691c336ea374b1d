// Asks smoldot the chainHead_v1 questions the side-by-side test compares: at the block it initializes
// on (or the first it finalizes, when that is genesis), the header, the body, storage values and hashes of the given keys, and the output of the given
// runtime calls (and descendantsValues/Hashes of $DESCENDANTS when set). Prints one `RESULT {json}` line.
// Usage: node smoldot-answers.mjs <spec.json> <bootnode multiaddr> <keys hex,comma-separated> <calls Name:0xargs,...>
import { connect, finish } from './smoldot-rpc.mjs'

const [specFile, bootNode, keysArg, callsArg] = process.argv.slice(2)
const keys = keysArg.split(',')
const calls = callsArg.split(',').map((c) => c.split(':'))
const { call, waitFor } = await connect(specFile, bootNode)
const out = {}
try {
  const sub = (await call('chainHead_v1_follow', [true])).result
  const init = await waitFor((e) => e.event === 'initialized', 60_000)
  // on a young chain smoldot starts at genesis (no justification to warp with): then the questions go
  // to the first block it finalizes after it (pinned: the follow subscription has withRuntime = true)
  const genesis = (await call('chainSpec_v1_genesisHash', [])).result
  let hash = init.finalizedBlockHashes.at(-1)
  if (hash === genesis) hash = (await waitFor((e) => e.event === 'finalized', 60_000)).finalizedBlockHashes.at(-1)
  out.hash = hash
  out.header = (await call('chainHead_v1_header', [sub, hash])).result
  const body = (await call('chainHead_v1_body', [sub, hash])).result
  out.body = (await waitFor((e) => e.operationId === body.operationId, 20_000)).value
  const items = keys.flatMap((key) => [{ key, type: 'value' }, { key, type: 'hash' }])
  if (process.env.DESCENDANTS) items.push({ key: process.env.DESCENDANTS, type: 'descendantsValues' }, { key: process.env.DESCENDANTS, type: 'descendantsHashes' })
  const st = (await call('chainHead_v1_storage', [sub, hash, items, null])).result
  out.storage = []
  for (;;) {
    const e = await waitFor((x) => x.operationId === st.operationId && !x.seen, 20_000)
    e.seen = true
    if (e.event === 'operationStorageItems') out.storage.push(...e.items)
    else break
  }
  out.calls = {}
  for (const [fn, args] of calls) {
    const c = (await call('chainHead_v1_call', [sub, hash, fn, args])).result
    const done = await waitFor((e) => e.operationId === c.operationId, 20_000)
    out.calls[fn] = done.output ?? done.event
  }
} catch (e) {
  out.error = String(e)
}
finish(out)
