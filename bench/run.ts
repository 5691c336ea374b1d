// `npm run bench`: runs every bench/*.bench.ts (or those matching argv filters) one after another, each in
// its own process so that one benchmark's JIT warm-up and heap do not skew the next.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = dirname(fileURLToPath(import.meta.url))
const LONG = ['serve-soak.bench.ts']
const filters = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  // the 30-minute soak runs only when named (`npm run bench serve-soak`)
  .filter((f) => (filters.length === 0 ? !LONG.includes(f) : filters.some((s) => f.includes(s))))
  .sort()
let failed = 0
for (const f of files) {
  console.log(`\n== ${f}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
