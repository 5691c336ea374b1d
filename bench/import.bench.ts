// Import cost, as an app pays it: a fresh Node process running `await import(<entry>)`, wall time from
// spawn to exit, minus a bare Node process's; sublight's compiled entry (`npm run build` first, as the
// package ships it) vs smoldot's, trials interleaved, medians of 7. Also `sublight --help` from the
// compiled CLI and the toolkit entry (`sublight/toolkit`).
import { spawnSync } from 'node:child_process'
import { buildPackage } from './util.ts'

const root = new URL('../', import.meta.url).pathname
buildPackage()

const runs: Record<string, string[]> = {
  bare: ['-e', '0'],
  sublight: ['--input-type=module', '-e', "await import('./dist/index.js')"],
  smoldot: ['--input-type=module', '-e', "await import('smoldot')"],
  'sublight/toolkit': ['--input-type=module', '-e', "await import('./dist/toolkit.js')"],
  'sublight --help': ['--input-type=module', '-e', "const { main } = await import('./dist/cli/main.js'); await main(['--help'])"],
}
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]))
for (let i = 0; i < 7; i++)
  for (const [name, args] of Object.entries(runs)) {
    const t = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${name} failed`)
    times[name].push(performance.now() - t)
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const bare = median(times.bare)
const above = (name: string) => median(times[name]) - bare
console.log(`bare Node ${bare.toFixed(0)} ms`)
console.log(`| \`import('sublight')\` in a fresh Node process, above bare Node, median of 7 | ${above('sublight').toFixed(0)} ms | smoldot ${above('smoldot').toFixed(0)} ms | ${(above('sublight') / above('smoldot')).toFixed(2)}× |`)
console.log(`| \`sublight --help\` (compiled CLI), above bare Node | ${above('sublight --help').toFixed(0)} ms | – | – |`)
console.log(`| \`import('sublight/toolkit')\` (codec, crypto, trie, executor…), above bare Node | ${above('sublight/toolkit').toFixed(0)} ms | – | – |`)
