// Preloaded into a benchmarked node (`node --import ./memory-probe.mjs`): every MEMORY_PROBE_MS (default
// 60 s) appends one JSON line of process.memoryUsage() (MiB) to the file named by MEMORY_PROBE_FILE, so a
// soak can tell live heap from V8's and the allocator's retention. Timer unref'd: never keeps a process up.
import { appendFileSync } from 'node:fs'

const file = process.env.MEMORY_PROBE_FILE
if (file) {
  const mib = (n) => Math.round((n / 1048576) * 10) / 10
  setInterval(() => {
    const m = process.memoryUsage()
    appendFileSync(file, JSON.stringify({ t: Date.now(), rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) }) + '\n')
  }, Number(process.env.MEMORY_PROBE_MS ?? 60_000)).unref()
}
