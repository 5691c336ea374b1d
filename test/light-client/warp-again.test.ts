// Acceptance (#13, "far behind → warp again"): a light client that was following a devnet loses its
// peer while the chain moves on by more than its warp threshold (the peer is unreachable for 12 s: banned
// for that long); when the peer is back — the peer set dials it again by itself — it warps to the
// peer's finalized block instead of fetching every block in between, its chainHead follow ends with
// `stop` (the spec's answer to a jump), and a new follow initializes at the new finalized block.
// The devnet runs on an accelerated clock (1 s slots); the light client reads the same clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode, acceleratedClock } from '../../src/full-node/index.ts'
import { Connection } from '../../src/json-rpc/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { lightClientRpc } from '../../src/light-client/rpc.ts'
import { TransactionsService } from '../../src/light-client/transactions-service.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('far behind its peer, the light client warps again; follows get stop and re-initialize above', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const clock = acceleratedClock(6)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, clock })
  const logs: string[] = []
  const svc = await ChainService.start({ spec, transports: nodeTransports, bootNodes: [dev.host.addresses()[0]], now: clock.now, warpThreshold: 4, log: (_l, m) => void logs.push(m) })
  const transactions = new TransactionsService(svc)
  const notes: any[] = []
  const conn = new Connection(lightClientRpc(svc, spec, transactions), (text) => void notes.push(JSON.parse(text)))
  const call = async (method: string, params: unknown[]) => JSON.parse((await conn.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })))!)
  try {
    await waitFor(() => dev.chain.finalized().number >= 2, 60_000, 'the devnet finalizing')
    // following: a finalized event. Under load the client may fall more than the threshold (4 blocks at
    // 1 s slots) behind while it fetches the consensus after its first warp, and warp again: that follow
    // then ends with `stop`, and a new one is what follows
    let sub = ''
    const events = () => notes.filter((n) => n.params?.subscription === sub).map((n) => n.params.result)
    for (let attempt = 0; attempt < 3; attempt++) {
      sub = (await call('chainHead_v1_follow', [false])).result
      await waitFor(() => events().some((e) => e.event === 'finalized' || e.event === 'stop'), 30_000, () => `following: a finalized event (client best #${svc.best().header.number} finalized #${svc.finalized().header.number}, devnet best #${dev.chain.bestBlock.header.number} finalized #${dev.chain.finalized().number}; ${logs.slice(-10).join(' | ')})`)
      if (!events().some((e) => e.event === 'stop')) break
    }
    assert.ok(events().some((e) => e.event === 'finalized') && !events().some((e) => e.event === 'stop'), 'a follow that reports finality')
    const finalizedBefore = svc.finalized().header.number
    // the peer is unreachable for a while (the client may not dial it) as the chain moves on past the threshold
    const devPeer = peerIdFromString(dev.host.peerId)
    svc.host.ban(devPeer, 'test: the peer unreachable for 12 s', 12_000)
    await waitFor(() => svc.peerCount === 0, 10_000, 'disconnected')
    await waitFor(() => dev.chain.finalized().number > finalizedBefore + 8, 60_000, 'the devnet moving on')
    const ancestryFetched = logs.length
    await waitFor(() => events().some((e) => e.event === 'stop'), 30_000, () => `the follow stopped by the jump (${logs.slice(ancestryFetched).join(' | ')})`)
    // beyond the threshold (4) above where it stood; the peer may come back (peer-set maintenance) as soon
    // as the gap passes the threshold, under load before the devnet has gone the whole 8 blocks further
    assert.ok(svc.finalized().header.number > finalizedBefore + 4, `warped to #${svc.finalized().header.number} from #${finalizedBefore} (${logs.slice(ancestryFetched).join(' | ')})`)
    assert.ok(logs.some((l) => /warp sync: finalized #\d+/.test(l) && Number(/#(\d+)/.exec(l)![1]) > finalizedBefore + 4), logs.join('\n'))
    // a new follow starts at the new finalized block, one of the devnet's
    const atFollow = svc.finalized().header.number
    const sub2 = (await call('chainHead_v1_follow', [false])).result
    await waitFor(() => notes.some((n) => n.params?.subscription === sub2 && n.params.result.event === 'initialized'), 20_000, 'initialized again')
    const init = notes.find((n) => n.params?.subscription === sub2 && n.params.result.event === 'initialized').params.result
    const block = dev.chain.block(Uint8Array.from(Buffer.from(init.finalizedBlockHashes[0].slice(2), 'hex')))
    assert.ok(block && block.header.number > finalizedBefore + 4, `initialized at #${block?.header.number}`)
    // the client's finalized block when the follow began, or a later one (blocks come every second)
    assert.ok(block.header.number >= atFollow && block.header.number <= svc.finalized().header.number, `initialized at #${block.header.number}, client finalized #${atFollow} then #${svc.finalized().header.number}`)
    assert.equal(init.finalizedBlockHashes[0], toHex(dev.chain.blockAt(block.header.number)!.hash), 'on the devnet chain')
    // and it follows on from there
    await waitFor(() => notes.some((n) => n.params?.subscription === sub2 && n.params.result.event === 'newBlock'), 20_000, 'new blocks after the jump')
  } finally {
    conn.close()
    transactions.stop()
    await svc.stop()
    await dev.stop()
  }
})
