// Acceptance (#26, item 2, without session changes): polkadot-dev (Polkadot runtime 9390: BABE, GRANDPA,
// staking) derived for 4 validators, one `sublight dev` each. BABE with several validators forks by
// itself — a secondary author and a primary claim, or two primaries, in one slot — and the nodes follow
// the consensus rule (most primaries, then length): forks are counted from the nodes' own reports, and in
// the end every node is on the same finalized chain, finalized by votes of ≥ 3 of them. (Sessions last 4
// hours of slots on this runtime: set changes by session are tested on a shared history, testnet-sessions.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'
import { Testnet, lastFinalityReport as report, rpc } from '../support/testnet.ts'
import { waitFor } from '../support/wait.ts'

test('testnet on polkadot-dev: 4 BABE validators fork by themselves and end on one finalized chain', { ...needsFixtures, timeout: 400_000 }, async () => {
  const net = await Testnet.start(4, [], fixturePath('chain-specs', 'polkadot-dev.json'))
  try {
    const forks = () => Math.max(...net.nodes.map((n) => report(n.proc)?.forks ?? 0))
    // past the start (when every node may author block #1 at once), a fork of the running network
    await waitFor(async () => (await net.best(0)).number >= 5, 120_000, 'block #5')
    const atStart = forks()
    await waitFor(() => forks() > atStart, 240_000, () => `a BABE fork within 4 minutes (${atStart} at #5)\n${net.nodes[0].proc.out.slice(-1500)}\n${net.nodes[0].proc.err.slice(-1500)}`)
    const r = report(net.nodes[0].proc)!
    assert.ok(r.precommits >= 3, `finality by ≥ 3 voters (${r.precommits})`)
    // all on one finalized chain, past the last fork seen so far
    const best = (await net.best(0)).number
    await waitFor(
      async () => {
        const fins = await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i)))
        return fins.every((f) => f.number >= best)
      },
      120_000,
      async () => `finality past #${best} on every node: ${JSON.stringify(await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i))))}`,
    )
    const hashes = await Promise.all([0, 1, 2, 3].map((i) => rpc(net.nodes[i].rpcUrl, 'chain_getBlockHash', [best])))
    assert.ok(hashes.every((h) => h === hashes[0]), `all four agree on #${best}: ${hashes.join(' ')}`)
    console.log(`forks seen: ${net.nodes.map((n) => report(n.proc)?.forks ?? 0).join(', ')}; reorgs: ${net.nodes.map((n) => report(n.proc)?.reorgs ?? 0).join(', ')}; by #${best}`)
  } finally {
    await net.stop()
  }
})
