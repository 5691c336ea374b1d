// Harness: smoldot with our node as its only boot node, for `durationMs`: follows the chain until
// `initialized`, then samples `system_health` every second and counts smoldot's own connection-shutdown
// and slot-unassigned log lines. Usage: node smoldot-stays.mjs <spec.json> <boot multiaddr> <durationMs>
import { connect, finish } from './smoldot-rpc.mjs'

const [specFile, bootNode, durationMs] = process.argv.slice(2)
const shutdowns = []
process.env.SMOLDOT_LOG = '4'
const origWrite = process.stderr.write.bind(process.stderr)
// keep smoldot's debug log out of the test's output, but count what matters
process.stderr.write = (chunk, ...rest) => {
  const s = String(chunk)
  if (/\] (connection-shutdown|slot-unassigned)/.test(s)) shutdowns.push(s.trim().slice(0, 300))
  return typeof rest[rest.length - 1] === 'function' ? (rest[rest.length - 1](), true) : true
}
try {
  const { call, waitFor } = await connect(specFile, bootNode)
  await call('chainHead_v1_follow', [false])
  await waitFor((e) => e.event === 'initialized', 60_000)
  const samples = []
  const start = Date.now()
  while (Date.now() - start < Number(durationMs)) {
    const h = await call('system_health', [])
    samples.push(h.result?.peers ?? -1)
    await new Promise((r) => setTimeout(r, 1000))
  }
  process.stderr.write = origWrite
  finish({ samples, shutdowns })
} catch (e) {
  process.stderr.write = origWrite
  finish({ error: String(e), shutdowns })
}
