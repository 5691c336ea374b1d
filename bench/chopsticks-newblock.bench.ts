// Chopsticks 1.5.1 itself with its own executor and with sublight's (`overrides`), side by side on the
// same fork of a `sublight dev` node: wall time of `dev_newBlock`, node-template and polkadot-dev, blocks
// built in turn on each side after a first (compiling) block. Installs Chopsticks into two temporary
// projects first (`test/support/chopsticks-fork.ts`; from npm's cache after the first time).
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chopsticksFork, chopsticksProjects, devToFork } from '../test/support/chopsticks-fork.ts'
import { row } from './util.ts'

const BLOCKS: Record<string, number> = { 'node-template': 20, 'polkadot-dev': 10 }
const work = mkdtempSync(join(tmpdir(), 'sublight-chopsticks-bench-'))
const children: ChildProcess[] = []
try {
  const { original, ours } = await chopsticksProjects(work)
  for (const [chain, n] of Object.entries(BLOCKS)) {
    const { url, base } = await devToFork(chain, children)
    const theirs = await chopsticksFork(original, url, base, `chopsticks (${chain}, its own executor)`, children)
    const mine = await chopsticksFork(ours, url, base, `chopsticks (${chain}, sublight's executor)`, children)
    const times = { theirs: [] as number[], mine: [] as number[] }
    for (let i = 0; i <= n; i++) {
      for (const [side, c] of [['theirs', theirs.rpc], ['mine', mine.rpc]] as const) {
        const t0 = performance.now()
        await c.call('dev_newBlock', [{ count: 1 }])
        if (i > 0) times[side].push(performance.now() - t0)
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
    row(`${chain} Chopsticks dev_newBlock (median of ${n}, after the first)`, median(times.mine), median(times.theirs))
    theirs.rpc.close()
    mine.rpc.close()
    for (const c of children.splice(0)) c.kill('SIGKILL')
  }
} finally {
  for (const c of children) c.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}
