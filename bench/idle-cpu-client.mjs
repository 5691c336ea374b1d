// One light client's side of bench/idle-cpu.bench.ts (its own process): sublight or smoldot follows the
// chain with one chainHead_v1 follow open (every message read at once), and after WARM_MS prints
// `CPU <ms of CPU per s of wall time>` over the next MEASURE_MS — and, given a third duration, `CPU2 <…>` over
// that much more (the steady state, once start-up's last GC and JIT work is over) — then exits. With CPU_PROFILE set, writes a
// CPU profile of the measured window to that file (CPU_PROFILE_US: its sampling interval); with ALLOC_PROFILE, a sampled profile of everything
// allocated in it (garbage included).
// Usage: [SUBLIGHT_DIST=1] node [--import tsx] idle-cpu-client.mjs <sublight|smoldot> <spec.json> <bootnode> <warmMs> <measureMs> [<measure2Ms>]
import { writeFileSync } from 'node:fs'
import { clientFor } from './client-for.mjs'

const [impl, specFile, bootNode, warmMs, measureMs, measure2Ms] = process.argv.slice(2)
const { chain } = await clientFor(impl, specFile, bootNode)
chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [true] }))
let events = 0
;(async () => {
  for (;;) {
    const m = JSON.parse(await chain.nextJsonRpcResponse())
    events++
    // the app unpins what it no longer needs, as polkadot-api does
    if (m.params?.result?.event === 'finalized') {
      const hashes = [...m.params.result.finalizedBlockHashes.slice(0, -1), ...m.params.result.prunedBlockHashes]
      if (hashes.length) chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'chainHead_v1_unpin', params: [m.params.subscription, hashes] }))
    }
  }
})()
await new Promise((r) => setTimeout(r, Number(warmMs)))
let session
if (process.env.CPU_PROFILE || process.env.ALLOC_PROFILE) {
  const { Session } = await import('node:inspector/promises')
  session = new Session()
  session.connect()
  if (process.env.CPU_PROFILE) {
    await session.post('Profiler.enable')
    // CPU_PROFILE_US: the sampling interval (µs; V8's default is 1,000: an idle minute gives ~150 samples)
    if (process.env.CPU_PROFILE_US) await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.CPU_PROFILE_US) })
    await session.post('Profiler.start')
  } else await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
}
const c0 = process.cpuUsage()
const t0 = performance.now()
await new Promise((r) => setTimeout(r, Number(measureMs)))
const c = process.cpuUsage(c0)
const wall = (performance.now() - t0) / 1000
if (process.env.CPU_PROFILE) writeFileSync(process.env.CPU_PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile))
if (process.env.ALLOC_PROFILE) writeFileSync(process.env.ALLOC_PROFILE, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile))
let second = ''
if (measure2Ms) {
  const c1 = process.cpuUsage()
  const t1 = performance.now()
  await new Promise((r) => setTimeout(r, Number(measure2Ms)))
  const d = process.cpuUsage(c1)
  second = ` CPU2 ${((d.user + d.system) / 1000 / ((performance.now() - t1) / 1000)).toFixed(2)}`
}
process.stdout.write(`CPU ${((c.user + c.system) / 1000 / wall).toFixed(2)}${second} EVENTS ${events}\n`, () => process.exit(0))
