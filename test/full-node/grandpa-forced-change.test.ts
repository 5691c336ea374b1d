// A forced GRANDPA set change on a real node-template chain, end to end. The runtime forces it the way
// it does after a stall (`Grandpa::PendingChange` with `forced: Some(median)`, written by sudo
// `system.setStorage` from @polkadot/api): the block carries a ForcedChange digest and the new set is in
// force from its import, without finality. Then: the authoring node signs every later justification
// with set 1 and keeps finalizing; a second node syncing with full verification follows it to the same
// finalized block without banning anyone; the warp proof from genesis ends (finished) at the block before
// the forced change — no justification by the replaced set crosses it, as in Substrate — and our light
// client warps there, then follows across the forced change block by block to finality under set 1.
// Real time (6 s slots): a light client refuses blocks from slots ahead of its clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { Writer, fromHex, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { storagePrefix } from '../../src/crypto/index.ts'
import { decodeWarpProof, forcesSetChange, verifyWarpProof } from '../../src/finality/index.ts'
import { DevChain, DevNode, SyncService, TX_SOURCE_EXTERNAL, genesisGrandpaSet, genesisState } from '../../src/full-node/index.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session } from '../support/light-client.ts'

test('a forced GRANDPA set change: followed by the author, a syncing node and the light client; warp proofs stop before it', { ...needsFixtures, timeout: 180_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const logs: string[] = []
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0, log: (l) => logs.push(l) })
  let sync: SyncService | undefined
  let api: ApiPromise | undefined
  let client: ReturnType<typeof start> | undefined
  try {
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    const genesisSet = genesisGrandpaSet(genesisState(spec))
    await waitFor(() => dev.chain.finalized().number >= 2, 30_000, 'finality')

    // StoredPendingChange { scheduled_at, delay: 0, next_authorities (reweighted), forced: Some(median) }
    let forcedAt = 0
    for (let attempt = 0, nonce = 0; attempt < 4 && !forcedAt; attempt++) {
      const at = dev.chain.best().number + 2
      const value = new Writer(128).u32(at).u32(0)
      value.vec(genesisSet.authorities, (w, a) => void w.bytes(a.publicKey).u64(a.weight + 1n))
      value.u8(1).u32(dev.chain.finalized().number)
      const tx = (await api.tx.sudo.sudo(api.tx.system.setStorage([[toHex(storagePrefix('Grandpa', 'PendingChange')), toHex(value.finish())]])).signAsync(alice, { nonce: nonce++, era: 0 })).toU8a()
      dev.submit(tx, TX_SOURCE_EXTERNAL)
      await waitFor(() => dev.chain.best().number >= at, 30_000, () => `block #${at}`)
      if (forcesSetChange(dev.chain.blockAt(at)!.header)) forcedAt = at
    }
    assert.ok(forcedAt > 0, 'the runtime emitted a ForcedChange digest')

    // the author finalizes past it, with set 1
    await waitFor(() => dev.chain.finalized().number >= forcedAt + 3, 60_000, 'finality past the forced change')

    // the warp proof from genesis: no standard change, so one fragment, the block before the forced change
    const proof = decodeWarpProof(dev.chain.warpProof(dev.chain.genesisHash)!)
    assert.equal(proof.isFinished, true)
    assert.deepEqual(proof.fragments.map((f) => f.header.number), [forcedAt - 1])
    assert.equal(verifyWarpProof(proof, genesisSet)!.set.setId, 0n)

    // a syncing node follows it
    const syncChain = new DevChain(spec)
    sync = await SyncService.start({ spec, chain: syncChain, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [dev.host.addresses()[0]], log: (l) => logs.push(`sync ${l}`) })
    await waitFor(() => syncChain.finalized().number >= forcedAt + 2, 90_000, () => `the syncing node finalizing past #${forcedAt} (at #${syncChain.finalized().number})`)
    const n = syncChain.finalized().number
    assert.equal(toHex(syncChain.blockAt(n)!.hash), toHex(dev.chain.blockAt(n)!.hash))

    // the light client: warp to the block before it, then across it to finality under the new set
    client = start({ maxLogLevel: 3, logCallback: (_l, t, m) => logs.push(`light ${t} ${m}`) })
    const chain = await addChainWith(client, readFixtureText('chain-specs', 'node-template.json'), [dev.host.addresses()[0]])
    const { rpc, event, events } = session(chain)
    await rpc('chainHead_v1_follow', [false])
    await event((e) => e.event === 'initialized', 'initialized')
    const finalizedPast = () => events.some((e) => e.event === 'finalized' && (e.finalizedBlockHashes as string[]).some((h) => (dev.chain.block(fromHex(h))?.header.number ?? 0) > forcedAt))
    await waitFor(finalizedPast, 60_000, () => `light: ${JSON.stringify(events.map((e) => e.event))} ${logs.filter((l) => l.startsWith('light')).slice(-10).join('|')}`)
    assert.ok(!logs.some((l) => /bann/.test(l)), logs.filter((l) => /bann/.test(l)).join('\n'))
  } finally {
    await client?.terminate().catch(() => {})
    await api?.disconnect()
    await sync?.stop()
    await dev.stop()
  }
})
