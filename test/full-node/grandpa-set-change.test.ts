// A GRANDPA authority-set change on a real node-template chain, end to end. The change is scheduled the
// way the runtime itself does it (`Grandpa::PendingChange`, written by sudo `system.setStorage`, signed by
// @polkadot/api): the runtime's on_finalize emits the ScheduledChange digest and enacts it. Then:
// - our authoring node signs every later justification with set id 1 (the set in force at each block);
// - a second node syncing with full verification follows the change, finalizes past it and does not ban
//   the honest author (before, it kept set 0 forever and banned it);
// - the author's warp proof has one fragment per set change, and verifies from the genesis set to its
//   latest finalized block under set 1.
// The devnet runs on an accelerated clock (6× real time), the syncing node on the same clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { Writer, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { storagePrefix } from '../../src/crypto/index.ts'
import { decodeWarpProof, scheduledChangeOf, verifyWarpProof } from '../../src/finality/index.ts'
import { DevChain, DevNode, SyncService, TX_SOURCE_EXTERNAL, acceleratedClock, genesisGrandpaSet, genesisState } from '../../src/full-node/index.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('a GRANDPA set change: signed, followed by a syncing node, and proven by warp proofs', { ...needsFixtures, timeout: 180_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const clock = acceleratedClock(6)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: 0, clock })
  let sync: SyncService | undefined
  let api: ApiPromise | undefined
  try {
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    const genesisSet = genesisGrandpaSet(genesisState(spec))
    assert.equal(genesisSet.setId, 0n)
    await waitFor(() => dev.chain.finalized().number >= 1, 30_000, 'first finalized block')

    // StoredPendingChange { scheduled_at, delay: 0, next_authorities (the same voters, reweighted), forced: None }
    let changeAt = 0
    let nonce = 0
    for (let attempt = 0; attempt < 4 && !changeAt; attempt++) {
      const at = dev.chain.best().number + 2
      const value = new Writer(128).u32(at).u32(0)
      value.vec(genesisSet.authorities, (w, a) => void w.bytes(a.publicKey).u64(a.weight + 1n))
      value.u8(0)
      const call = api.tx.sudo.sudo(api.tx.system.setStorage([[toHex(storagePrefix('Grandpa', 'PendingChange')), toHex(value.finish())]]))
      const tx = (await call.signAsync(alice, { nonce: nonce++, era: 0 })).toU8a()
      dev.submit(tx, TX_SOURCE_EXTERNAL)
      await waitFor(() => dev.chain.best().number >= at, 30_000, () => `block #${at}`)
      if (scheduledChangeOf(dev.chain.blockAt(at)!.header)) changeAt = at
    }
    assert.ok(changeAt > 0, 'the runtime emitted a ScheduledChange digest')
    const next = scheduledChangeOf(dev.chain.blockAt(changeAt)!.header)!
    assert.deepEqual(next.map((a) => a.weight), genesisSet.authorities.map((a) => a.weight + 1n))

    // the author finalizes past the change with the new set
    await waitFor(() => dev.chain.finalized().number >= changeAt + 3, 60_000, 'finality past the change')

    // a second node syncs it all, verifying every justification against the set in force at its block
    const syncChain = new DevChain(spec)
    sync = await SyncService.start({ spec, chain: syncChain, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [dev.host.addresses()[0]], now: clock.now })
    await waitFor(() => syncChain.finalized().number >= changeAt + 2, 90_000, () => `the syncing node finalizing past #${changeAt} (at #${syncChain.finalized().number})`)
    assert.ok(!sync.host.isBanned(dev.host.peerId), 'the honest author is not banned')
    const n = syncChain.finalized().number
    assert.equal(toHex(syncChain.blockAt(n)!.hash), toHex(dev.chain.blockAt(n)!.hash))

    // the author's warp proof: the change block (justified by set 0), then the latest finalized (set 1)
    const proof = decodeWarpProof(dev.chain.warpProof(dev.chain.genesisHash)!)
    assert.equal(proof.isFinished, true)
    assert.deepEqual(proof.fragments.map((f) => f.header.number), [changeAt, dev.chain.finalized().number])
    const verified = verifyWarpProof(proof, genesisSet)!
    assert.equal(verified.set.setId, 1n)
    assert.equal(toHex(verified.finalizedHash), toHex(dev.chain.finalized().hash))
    // and from a block after the change: the latest finalized alone, under set 1
    const later = decodeWarpProof(dev.chain.warpProof(dev.chain.blockAt(changeAt)!.hash)!)
    assert.deepEqual(later.fragments.map((f) => f.header.number), [dev.chain.finalized().number])
    assert.equal(verifyWarpProof(later, { setId: 1n, authorities: next })!.set.setId, 1n)
  } finally {
    await api?.disconnect()
    await sync?.stop()
    await dev.stop()
  }
})
