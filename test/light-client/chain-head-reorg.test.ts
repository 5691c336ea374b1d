// Acceptance (#25, item 2, end to end): the light client over libp2p following a peer whose chain forks
// (`test/support/forking-peer.ts`: real node-template blocks, real Aura seals, real GRANDPA commits), with
// a chainHead_v1 follow and polkadot-api on top. Two reorgs, then a commit that finalizes the fork that
// is *not* the best one: the follow gets `bestBlockChanged` (to the surviving fork) before `finalized`,
// the pruned hashes are exactly the losing fork's blocks, pruned blocks stay readable while pinned, and
// polkadot-api's `bestBlocks$` / `finalizedBlock$` stay consistent throughout. (Found by this test: a
// commit finalizing a fork other than our best chain was held forever — its ancestry was looked up on
// the best chain.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createClient, type JsonRpcProvider } from 'polkadot-api'
import { toHex } from '../../src/codec/index.ts'
import { encodeHeader, headerHash, type Header } from '../../src/header/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { Connection } from '../../src/json-rpc/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { lightClientRpc } from '../../src/light-client/rpc.ts'
import { TransactionsService } from '../../src/light-client/transactions-service.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import { ForkingPeer } from '../support/forking-peer.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const hx = (h: Header) => toHex(headerHash(h))

test('chainHead_v1 and polkadot-api through reorgs and a finality that prunes the best fork, over libp2p', { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const peer = await ForkingPeer.start(spec)
  const logs: string[] = []
  // the blocks' slots run ahead of the wall clock (authored back to back): the client's clock is a day ahead
  const svc = await ChainService.start({ spec, transports: nodeTransports, bootNodes: [peer.address], now: () => Date.now() + 86_400_000, log: (_l, m) => void logs.push(m) })
  const rpc = lightClientRpc(svc, spec, new TransactionsService(svc))
  const events: any[] = []
  const conn = new Connection(rpc, (t) => {
    const m = JSON.parse(t)
    if (m.method === 'chainHead_v1_followEvent') events.push(m.params.result)
  })
  const ask = async (method: string, params: unknown[]) => JSON.parse((await conn.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })))!)
  // polkadot-api on its own connection
  const provider: JsonRpcProvider = (onMessage) => {
    const c = new Connection(rpc, (t) => onMessage(JSON.parse(t)))
    return { send: (m) => void c.handle(JSON.stringify(m)).then((out) => out && onMessage(JSON.parse(out))), disconnect: () => c.close() }
  }
  const papi = createClient(provider)
  const bests: { hash: string; number: number; parent: string }[][] = []
  const finals: number[] = []
  const subs = [papi.bestBlocks$.subscribe((b) => bests.push(b.map((x) => ({ hash: x.hash, number: x.number, parent: x.parent })))), papi.finalizedBlock$.subscribe((b) => finals.push(b.number))]
  try {
    await svc.ready
    // both ends hold the block-announces substream before any block is announced (else announces go nowhere)
    await waitFor(() => svc.peerCount >= 1, 30_000, 'the light client connected')
    await peer.announcing()
    const sub = (await ask('chainHead_v1_follow', [false])).result
    await waitFor(() => events.some((e) => e.event === 'initialized'), 20_000, 'initialized')
    const best = () => events.filter((e) => e.event === 'bestBlockChanged').at(-1)?.bestBlockHash
    const names = new Map<string, string>()
    const seen = () => events.map((e) => `${e.event}:${names.get(e.blockHash ?? e.bestBlockHash) ?? ''}`).join(' ')
    let slot = BigInt(Math.floor(Date.now() / 6000))
    const at = (parent: Header, name = '') => {
      const h = peer.author(parent, ++slot)
      names.set(hx(h), name)
      return h
    }
    const a1 = at(peer.genesis, 'a1')
    const a2 = at(a1, 'a2')
    const b2 = at(a1, 'b2')
    const b3 = at(b2, 'b3') // B is longer: the first reorg
    await waitFor(() => best() === hx(b3), 20_000, () => `best B3 (${seen()})\n${logs.join('\n')}`)
    const a3 = at(a2, 'a3')
    const a4 = at(a3, 'a4') // A is longer again: the second reorg
    await waitFor(() => best() === hx(a4), 20_000, () => `best A4 (${seen()})`)
    const b4 = at(b3, 'b4')
    const b5 = at(b4, 'b5') // B is best again...
    await waitFor(() => best() === hx(b5), 20_000, () => `best B5 (${seen()})`)
    const n = events.length
    peer.finalize(a3) // ...and GRANDPA finalizes A3: the B fork, best included, is pruned
    await waitFor(() => events.slice(n).some((e) => e.event === 'finalized'), 20_000, 'finalized')
    const after = events.slice(n).filter((e) => e.event === 'bestBlockChanged' || e.event === 'finalized')
    assert.deepEqual(after.map((e) => e.event), ['bestBlockChanged', 'finalized'])
    assert.equal(after[0].bestBlockHash, hx(a4))
    assert.deepEqual(after[1].finalizedBlockHashes, [a1, a2, a3].map(hx))
    assert.deepEqual([...after[1].prunedBlockHashes].sort(), [b2, b3, b4, b5].map(hx).sort())
    // the spec's invariants over the whole stream
    const reported = new Set<string>([peer.genesis].map(hx))
    let current = ''
    for (const e of events) {
      if (e.event === 'newBlock') {
        assert.ok(reported.has(e.parentBlockHash))
        reported.add(e.blockHash)
      } else if (e.event === 'bestBlockChanged') current = e.bestBlockHash
      else if (e.event === 'finalized') {
        assert.ok(!e.prunedBlockHashes.includes(current))
        const i = e.finalizedBlockHashes.indexOf(current)
        assert.ok(i === -1 || i === e.finalizedBlockHashes.length - 1)
      }
    }
    // pruned blocks stay readable while pinned
    assert.equal((await ask('chainHead_v1_header', [sub, hx(b3)])).result, toHex(encodeHeader(b3)))
    // polkadot-api: each bestBlocks$ emission is a chain from the best block down to the finalized one;
    // finalized numbers never go back; it ends on A4 over A3
    await waitFor(() => finals.at(-1) === 3 && bests.at(-1)?.[0]?.hash === hx(a4), 20_000, () => `polkadot-api at A4/A3 (${JSON.stringify(bests.at(-1))}, ${finals})`)
    for (const chain of bests) for (let i = 0; i + 1 < chain.length; i++) assert.equal(chain[i].parent, chain[i + 1].hash, 'bestBlocks$ is a chain')
    for (let i = 1; i < finals.length; i++) assert.ok(finals[i] >= finals[i - 1])
    assert.ok(bests.some((c) => c[0].hash === hx(b5)) || bests.some((c) => c[0].hash === hx(b3)), 'polkadot-api saw a B fork as best')
  } finally {
    for (const s of subs) s.unsubscribe()
    papi.destroy()
    conn.close()
    await svc.stop()
    await peer.stop()
  }
})
