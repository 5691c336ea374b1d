// GRANDPA commits that arrive before the blocks they finalize. Block announces and commits travel on
// different substreams, and a Substrate peer keeps justifications only for set changes and every 512th
// block, so a client that drops a commit whose target it does not hold yet may never finalize. Here
// every block announce of the devnet is held back 2.5 blocks (network latency on that path), so each
// commit (finality trails the best block by one) reaches the light client before its target: the client
// must keep it and apply it when the block arrives. A syncing full node (`SyncService`) beside it must
// do the same. Real node-template runtime, accelerated clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevChain, DevNode, SyncService, acceleratedClock } from '../../src/full-node/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('commits arriving before their blocks are kept, by the light client and a syncing node, and finalize those blocks once they come', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const clock = acceleratedClock(6)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, clock })
  const slotMs = 1000
  const announce = dev.host.announce.bind(dev.host)
  const heldBack = new Set<ReturnType<typeof setTimeout>>()
  dev.host.announce = (header, isBest) => {
    const t = setTimeout(() => {
      heldBack.delete(t)
      announce(header, isBest)
    }, 2.5 * slotMs)
    heldBack.add(t)
    return 0
  }
  const logs: string[] = []
  const svc = await ChainService.start({ spec, transports: nodeTransports, bootNodes: [dev.host.addresses()[0]], now: clock.now, log: (_l, m) => void logs.push(m) })
  const nodeChain = new DevChain(spec)
  const nodeLogs: string[] = []
  const node = await SyncService.start({ spec, chain: nodeChain, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [dev.host.addresses()[0]], now: clock.now, log: (l) => void nodeLogs.push(l) })
  const state = () => `client best #${svc.best().header.number} finalized #${svc.finalized().header.number}, devnet best #${dev.chain.bestBlock.header.number} finalized #${dev.chain.finalized().number}; ${logs.slice(-8).join(' | ')}`
  try {
    await svc.ready
    await waitFor(() => svc.best().header.number >= 3, 60_000, () => `the client following (${state()})`)
    const from = svc.finalized().header.number
    // each of these finalizations came by a commit that arrived before its target block
    await waitFor(() => svc.finalized().header.number >= from + 4, 30_000, () => `the client finalizing by commits (${state()})`)
    const f = svc.finalized()
    const onDevnet = dev.chain.blockAt(f.header.number)
    assert.ok(onDevnet && Buffer.from(onDevnet.hash).equals(Buffer.from(f.hash)), `finalized #${f.header.number} is the devnet's block`)
    assert.ok(dev.chain.finalized().number >= f.header.number)
    assert.ok(!logs.some((l) => l.startsWith('banning')), logs.join('\n'))
    // the syncing node finalizes by commits too (its block requests bring no justifications: the devnet
    // keeps them only for set changes and every 512th block)
    const nodeFrom = nodeChain.finalized().number
    await waitFor(() => nodeChain.finalized().number >= Math.max(nodeFrom, 1) + 4, 30_000, () => `the syncing node finalizing by commits (best #${nodeChain.best().number} finalized #${nodeChain.finalized().number}; ${nodeLogs.slice(-8).join(' | ')})`)
    const n = nodeChain.finalized()
    assert.equal(toHex(n.hash), toHex(dev.chain.blockAt(n.number)!.hash))
  } finally {
    for (const t of heldBack) clearTimeout(t)
    await svc.stop()
    await node.stop()
    await dev.stop()
  }
})
