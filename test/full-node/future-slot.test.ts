// Aura import checks a block's slot against the importer's clock: a devnet running 6× faster than real
// time produces blocks from future slots, and a syncing node on the real clock refuses them and bans
// their sender (the same two nodes on one clock agree: see grandpa-set-change.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevChain, DevNode, SyncService, acceleratedClock } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('blocks from a future slot are refused and their sender banned', { ...needsFixtures, timeout: 90_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, clock: acceleratedClock(6) })
  let sync: SyncService | undefined
  try {
    for (let i = 0; i < 400 && dev.chain.best().number < 5; i++) await new Promise((r) => setTimeout(r, 25))
    const chain = new DevChain(spec)
    sync = await SyncService.start({ spec, chain, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [dev.host.addresses()[0]] })
    for (let i = 0; i < 600 && !sync.host.isBanned(dev.host.peerId); i++) await new Promise((r) => setTimeout(r, 25))
    assert.ok(sync.host.isBanned(dev.host.peerId), 'the sender of future blocks is banned')
    assert.ok(chain.best().number < dev.chain.best().number, 'the future blocks were not imported')
  } finally {
    await sync?.stop()
    await dev.stop()
  }
})
