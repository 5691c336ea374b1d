// #12, acceptance 3: a second node (`SyncService`, what `sublight node` runs) syncs the relay devnet —
// polkadot-dev with its history authored in the past, an epoch and a GRANDPA set change every session —
// from genesis with full verification: each BABE header against the epochs it tracks itself, each
// body executed on its parent state, finality from the set-change justifications and the author's
// commits, set by set. It reaches the author's best block (same hash) and finalizes past every set
// change, without ever banning the honest author.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { scheduledChangeOf } from '../../src/finality/index.ts'
import { DevChain, DevNode, SyncService } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

test('a second node syncs the relay devnet from genesis with full execution, across epoch and set changes', { ...needsFixtures, timeout: 240_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  const spec = parseChainSpec(JSON.stringify(json))
  // 12 epochs of history (24 blocks, about ten set changes), then blocks in real time every 6 s
  const dev = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, history: { epochs: 12, intervalMs: 0 }, rotateSessionKeys: true })
  const logs: string[] = []
  let sync: SyncService | undefined
  try {
    await waitFor(() => dev.chain.finalized().number >= 20, 120_000, 'the devnet finalizing #20')
    const chain = new DevChain(spec)
    sync = await SyncService.start({ spec, chain, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [dev.host.addresses()[0]], log: (l) => logs.push(l) })
    const changes = () => Array.from({ length: dev.chain.finalized().number }, (_, i) => dev.chain.blockAt(i + 1)!.header).filter((h) => scheduledChangeOf(h)).length
    await waitFor(() => chain.best().number >= 24 && toHex(chain.best().hash) === toHex(dev.chain.best().hash), 150_000, () => `the syncing node at the author's best block (${chain.best().number} vs ${dev.chain.best().number}):\n${logs.slice(-20).join('\n')}`)
    const lastChange = Array.from({ length: dev.chain.best().number }, (_, i) => dev.chain.blockAt(i + 1)!.header).filter((h) => scheduledChangeOf(h)).at(-1)!
    await waitFor(() => chain.finalized().number > lastChange.number, 60_000, () => `the syncing node finalizing past the last set change #${lastChange.number} (at #${chain.finalized().number}):\n${logs.slice(-20).join('\n')}`)
    assert.ok(changes() >= 5, `${changes()} set changes`)
    // what it finalized is the author's chain
    const fin = chain.finalized()
    assert.equal(toHex(fin.hash), toHex(dev.chain.blockAt(fin.number)!.hash))
    assert.ok(!logs.some((l) => /ban/i.test(l)), logs.filter((l) => /ban/i.test(l)).join('\n'))
  } finally {
    await sync?.stop()
    await dev.stop()
  }
})
