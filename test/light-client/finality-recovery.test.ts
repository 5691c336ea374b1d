// Acceptance (#24, finality that recovers): on the relay devnet (polkadot-dev, a GRANDPA set change every
// two blocks), the node's GRANDPA commit for every block that enacts a set change is dropped — as a light
// client misses one on a live network. Commits of the next set cannot be checked before that block is
// final, so a client that only listens stalls for good; ours asks its peer for the set-change block's
// justification (Substrate keeps one for each) and finalizes past it, within 30 s every time.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { scheduledChangeOf } from '../../src/finality/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('commits of set-change blocks dropped: the client asks for their justifications and finalizes past each within 30 s', { ...needsFixtures, timeout: 180_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  json.bootNodes = []
  const spec = parseChainSpec(JSON.stringify(json))
  // three blocks a second: far slower than the 128 blocks that would make the client warp again instead
  const dev = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, history: { epochs: 1000, intervalMs: 300 }, rotateSessionKeys: true })
  const gossip = dev.host.gossipFinality.bind(dev.host)
  const dropped: { number: number; hash: string; at: number }[] = []
  dev.host.gossipFinality = (j, setId) => {
    const block = dev.chain.block(j.targetHash)
    if (block && scheduledChangeOf(block.header)) return void dropped.push({ number: j.targetNumber, hash: toHex(j.targetHash), at: performance.now() })
    gossip(j, setId)
  }
  const logs: string[] = []
  let svc: ChainService | undefined
  try {
    await waitFor(() => dev.chain.finalized().number >= 6, 60_000, 'the devnet finalizing')
    svc = await ChainService.start({ spec, transports: nodeTransports, bootNodes: [dev.host.addresses()[0]], log: (_l, m) => void logs.push(m) })
    const s = svc
    await s.ready
    const from = s.finalized().header.number
    // three set changes above where the client started, each finalized past within 30 s of its dropped commit
    const state = () => `client finalized #${s.finalized().header.number} best #${s.best().header.number}, devnet finalized #${dev.chain.finalized().number}; dropped ${dropped.map((d) => d.number).join(',')}; ${logs.slice(-6).join(' | ')}`
    for (let k = 0; k < 3; k++) {
      await waitFor(() => dropped.some((d) => d.number > Math.max(from, s.finalized().header.number)), 30_000, () => `a dropped set-change commit above the client (${state()})`)
      const d = dropped.find((x) => x.number > Math.max(from, s.finalized().header.number))!
      await waitFor(() => s.finalized().header.number > d.number, Math.max(1, 30_000 - (performance.now() - d.at)), () => `finality past set-change block #${d.number} (${state()})`)
      assert.equal(toHex(s.hashAt(d.number)!), d.hash, `#${d.number}: the devnet's set-change block`)
    }
    assert.ok(logs.some((l) => /finality: the justification of set-change block #\d+/.test(l)), logs.join('\n'))
    assert.ok(!logs.some((l) => /banning/.test(l)), logs.filter((l) => /banning/.test(l)).join('\n'))
  } finally {
    await svc?.stop()
    await dev.stop()
  }
})
