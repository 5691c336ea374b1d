// Runs every test/**/*.test.ts file through node:test with tsx (Node 20's runner does not expand globs).
// Four files at a time: most network tests wait on real 6 s block slots, not on the CPU. The few soak
// files (minutes of following) start first.
// Usage: node scripts/run-tests.mjs [filter-substring...]
// Output: the spec reporter (one line per test, failures in full at the end); SUBLIGHT_REPORTER=tap for TAP.
// Files that run whole local networks (several node processes each, `sublight testnet`, a relay devnet
// with a collator) run after the
// shared batch, two at a time: beside three other files they take the CPU that timed assertions there
// measure. Files whose assertions are about timing (event-loop stalls), and Chopsticks' (heavy), run last,
// one at a time, so that the other test files do not take the CPU they measure.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function collect(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...collect(p))
    else if (name.endsWith('.test.ts')) out.push(p)
  }
  return out
}
const filters = process.argv.slice(2)
const files = collect('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
// --test-force-exit: a test file whose failure leaves sockets or timers open (a timed-out network test)
// must not keep the whole run waiting
const reporter = process.env.SUBLIGHT_REPORTER ?? 'spec'
// Chopsticks' file runs alone too: it installs Chopsticks twice and runs two dev nodes and four Chopsticks
// processes (beside a 4-node testnet it starved the network's accelerated slots), and it builds dist/
// with `npm pack`, which the shared batch's package test must not see half-written
const ALONE = ['test/cli/light-fast-chain.test.ts', 'test/chopsticks-executor/chopsticks.test.ts']
const run = (list, concurrency) =>
  list.length === 0 ? 0 : (spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, `--test-concurrency=${concurrency}`, '--test-force-exit', ...list], { stdio: 'inherit' }).status ?? 1)
// the long soak files start first, so that the short ones fill the other slots around them
const FIRST = ['test/light-client/follow-full-node.test.ts', 'test/network/smoldot-stays-connected.test.ts', 'test/cli/light-churn.test.ts']
const ordered = [...files.filter((f) => FIRST.includes(f)), ...files.filter((f) => !FIRST.includes(f))]
const NETWORKS = files.filter((f) => /\/(testnet|parachain-devnet)[^/]*\.test\.ts$/.test(f))
const shared = run(ordered.filter((f) => !ALONE.includes(f) && !NETWORKS.includes(f)), 4)
const networks = run(NETWORKS, 2)
const alone = run(files.filter((f) => ALONE.includes(f)), 1)
process.exit(shared || networks || alone)
