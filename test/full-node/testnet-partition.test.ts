// Acceptance (#26, items 3 and 4): a 2 + 2 partition of a 4-validator local network (node-template, Aura + GRANDPA)
// makes two forks, healing it reorganizes every node onto one chain, and smoldot and our light client —
// both following through node 0 only, throughout — report the reorg the same way: the losing block as a
// `newBlock` then best, `bestBlockChanged` to the winner, the loser in a `finalized` event's
// `prunedBlockHashes`, never finalized. The partition is timed by Aura's turns (Alice, Bob, Charlie, Dave by
// slot): cut right after Bob's block, side {Charlie, Dave} authors two blocks while side {Alice, Bob}
// authors one (Alice's), healed before Bob's turn — so node 0's side loses, as the test wants. A transfer
// sent to node 0 during the partition (by @polkadot/api, built and signed there) is included only in
// Alice's losing block: its watcher sees `inBlock` (the loser), `retracted`, `inBlock` (a block of the
// winning chain) and `finalized` there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { start } from '../../src/index.ts'
import { Testnet, followWithSmoldot, rpc } from '../support/testnet.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'

test('testnet: a 2+2 partition forks, healing reorganizes every node; smoldot and our light client report the reorg alike', { timeout: 300_000 }, async () => {
  const net = await Testnet.start(4)
  // the clients reach node 0 alone: the others refuse every peer but the validators (Kademlia would
  // otherwise lead the clients to the other side of the partition)
  for (const i of [1, 2, 3]) await net.allowOnly(i, [0, 1, 2, 3])
  const specText = readFileSync(net.specPath, 'utf8')
  const client = start({ maxLogLevel: 1 })
  const apis: ApiPromise[] = []
  const smoldot = followWithSmoldot(net.specPath, net.nodes[0].addr)
  const smoldotEvents = smoldot.events
  try {
    const chain = await addChainWith(client, specText, [net.nodes[0].addr])
    const ours = session(chain)
    await ours.rpc('chainHead_v1_follow', [false])
    // both clients follow and see finality
    await waitFor(() => ours.events.some((e) => e.event === 'finalized') && smoldotEvents.some((e) => e.event === 'finalized'), 120_000, () => `both clients following\nours: ${JSON.stringify(ours.events.slice(-3))}\nsmoldot: ${JSON.stringify(smoldotEvents.slice(-3))}`)

    // a transfer to node 0 as the partition starts: only side A sees it, and Alice's block will hold it
    const statuses: { type: string; hash?: string }[] = []
    const { base, loser } = await net.splitAfterBob(async () => {
      const api = await ApiPromise.create({ provider: new WsProvider(net.nodes[0].rpcUrl), noInitWarn: true })
      apis.push(api)
      const keyring = new Keyring({ type: 'sr25519' })
      // signed by @polkadot/api, watched through its raw `author_submitAndWatchExtrinsic`: `signAndSend`'s
      // callback fetches each InBlock block's events first and drops that status when the next one comes
      // sooner (rxjs switchMap), so a quick Finalized hid the InBlock before it in a clean-clone run
      const signed = await api.tx.balances.transferKeepAlive(keyring.addFromUri('//Bob').address, 10n ** 12n).signAsync(keyring.addFromUri('//Alice'))
      await api.rpc.author.submitAndWatchExtrinsic(signed, (st) => {
        statuses.push({ type: st.type, hash: st.isInBlock ? st.asInBlock.toHex() : st.isRetracted ? st.asRetracted.toHex() : st.isFinalized ? st.asFinalized.toHex() : undefined })
      })
    })
    const body = (await rpc(net.nodes[0].rpcUrl, 'chain_getBlock', [loser.hash])).block.extrinsics as string[]
    assert.ok(body.length >= 2, 'Alice’s block holds the transfer (after the timestamp inherent)')
    const sideB = await net.best(2)
    assert.ok(sideB.number >= base.number + 2, `side B is ahead (#${sideB.number} vs Alice’s #${loser.number})`)
    await net.healSplit()

    // every node on one chain, finalized past the fork: Alice's block is gone
    await waitFor(
      async () => {
        const fins = await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i)))
        return fins.every((f) => f.number >= base.number + 2)
      },
      90_000,
      async () => `finality past the fork on every node: ${JSON.stringify(await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i))))}`,
    )
    const winnerAtFork = (await rpc(net.nodes[0].rpcUrl, 'chain_getBlockHash', [base.number + 1])) as string
    assert.notEqual(winnerAtFork, loser.hash, 'node 0 left its own fork')
    for (const i of [1, 2, 3]) assert.equal(await rpc(net.nodes[i].rpcUrl, 'chain_getBlockHash', [base.number + 1]), winnerAtFork)

    // both clients: the loser came as a block, was best, lost the best to the winning chain, and was pruned
    await waitFor(
      () => [ours.events, smoldotEvents].every((evs) => evs.some((e) => e.event === 'finalized' && e.prunedBlockHashes.includes(loser.hash))),
      60_000,
      () => `both clients pruning ${loser.hash}\nours: ${JSON.stringify(ours.events.filter((e) => e.event !== 'newBlock').slice(-6))}\nsmoldot: ${JSON.stringify(smoldotEvents.filter((e) => e.event !== 'newBlock').slice(-6))}`,
    )
    for (const [name, evs] of [['sublight', ours.events], ['smoldot', smoldotEvents]] as const) {
      const i = evs.findIndex((e) => e.event === 'newBlock' && e.blockHash === loser.hash)
      assert.ok(i >= 0, `${name}: the losing block came`)
      const bestAfter = evs.slice(i).filter((e) => e.event === 'bestBlockChanged').map((e) => e.bestBlockHash)
      assert.equal(bestAfter[0], loser.hash, `${name}: the losing block was best first`)
      assert.ok(bestAfter.some((h) => h !== loser.hash), `${name}: then the best block moved to the winning chain`)
      const finalized = evs.filter((e) => e.event === 'finalized').flatMap((e) => e.finalizedBlockHashes)
      assert.ok(!finalized.includes(loser.hash), `${name}: the loser is never finalized`)
      assert.ok(finalized.includes(winnerAtFork), `${name}: the winner at the fork height is finalized`)
    }
    // the transfer: in the loser, retracted, in a block of the winning chain, finalized there
    await waitFor(() => statuses.some((x) => x.type === 'Finalized'), 60_000, () => `the transfer finalized: ${JSON.stringify(statuses)}`)
    const seq = statuses.filter((x) => x.type !== 'Ready' && x.type !== 'Broadcast')
    assert.deepEqual(seq.slice(0, 2), [{ type: 'InBlock', hash: loser.hash }, { type: 'Retracted', hash: loser.hash }], JSON.stringify(statuses))
    const again = seq[2]
    const all = JSON.stringify(statuses)
    assert.equal(again.type, 'InBlock', all)
    assert.notEqual(again.hash, loser.hash, all)
    assert.deepEqual(seq.at(-1), { type: 'Finalized', hash: again.hash }, all)
    const canonical = (await rpc(net.nodes[2].rpcUrl, 'chain_getBlockHash', [parseInt((await rpc(net.nodes[2].rpcUrl, 'chain_getHeader', [again.hash])).number, 16)])) as string
    assert.equal(canonical, again.hash, 'included again on the winning chain (as node 2 sees it)')

    // the same way: the same blocks pruned, the same winner made best before the pruning
    const view = (evs: any[]) => {
      const k = evs.findIndex((e) => e.event === 'finalized' && e.prunedBlockHashes.includes(loser.hash))
      return { pruned: [...evs[k].prunedBlockHashes].sort(), best: evs.slice(0, k).filter((e) => e.event === 'bestBlockChanged').at(-1).bestBlockHash }
    }
    assert.deepEqual(view(ours.events), view(smoldotEvents))
  } finally {
    smoldot.stop()
    for (const a of apis) await a.disconnect()
    client.terminate()
    await net.stop()
  }
})
