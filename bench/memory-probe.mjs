// Preloaded into a benchmarked node (`node --import ./memory-probe.mjs`): every MEMORY_PROBE_MS (default
// 60 s) appends one JSON line to the file named by MEMORY_PROBE_FILE (MiB): process.memoryUsage(), V8's
// committed memory per heap space, and the RSS of the process's mappings by kind from /proc/self/smaps
// (`brk`: the main malloc heap; `anon`: other anonymous mappings — V8's pages, thread arenas, wasm code;
// `file`: mapped files), so a soak can tell live heap from V8's and the allocator's retention.
// Timer unref'd: never keeps a process up.
import { appendFileSync, readFileSync } from 'node:fs'
import v8 from 'node:v8'

const file = process.env.MEMORY_PROBE_FILE
const mib = (n) => Math.round((n / 1048576) * 10) / 10
function mappings() {
  // anon is split further: `wasm` (reservations of ≥ 1 GiB: WebAssembly memories with their guard
  // regions), `arena` (mappings starting on a 64 MiB boundary, at most that long: glibc's per-thread
  // malloc arenas) and `anonOther` (V8's heap pages, thread stacks, JIT code)
  const out = { brk: 0, anon: 0, file: 0, wasm: 0, arena: 0, anonOther: 0 }
  let kind = 'anon'
  let sub = 'anonOther'
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) {
      kind = head[3] === '[heap]' ? 'brk' : head[3] === '' || head[3].startsWith('[') ? 'anon' : 'file'
      const start = BigInt('0x' + head[1])
      const size = Number(BigInt('0x' + head[2]) - start)
      sub = size >= 1 << 30 ? 'wasm' : start % (64n << 20n) === 0n && size <= 64 << 20 ? 'arena' : 'anonOther'
    } else if (line.startsWith('Rss:')) {
      const bytes = Number(line.split(/\s+/)[1]) * 1024
      out[kind] += bytes
      if (kind === 'anon') out[sub] += bytes
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, mib(v)]))
}
if (file) {
  setInterval(() => {
    const m = process.memoryUsage()
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mib(s.physical_space_size)]))
    appendFileSync(file, JSON.stringify({ t: Date.now(), rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers), ...mappings(), spaces }) + '\n')
  }, Number(process.env.MEMORY_PROBE_MS ?? 60_000)).unref()
}
