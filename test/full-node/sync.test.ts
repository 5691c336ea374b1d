// Block download and import, on node-template blocks: the BlockSync machine asks for the blocks above
// our best block (above the finalized one when level with the peer) and rejects responses that cannot be right (a header not matching its hash,
// numbers out of order, unrequested data); the SyncService imports a good peer's chain with execution
// and bans a peer whose blocks carry a seal by a key that is not an Aura authority.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri } from '../../src/crypto/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, NetworkHost } from '../../src/network/index.ts'
import { BlockSync, DevChain, SyncService, authorAuraBlock } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

function chainOf(n: number, suri: string) {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const key = sr25519FromSuri(suri)
  for (let i = 1; i <= n; i++) {
    const best = chain.bestBlock
    const slot = 5_000_000n + BigInt(2 * i) // even slots: Alice's turn
    const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: key })
    chain.add(block, state)
  }
  return { spec, chain }
}

test('BlockSync: requests the blocks we lack; malformed responses are the peer’s fault', needsFixtures, () => {
  const { chain: theirs } = chainOf(3, '//Alice')
  const { chain: ours } = chainOf(0, '//Alice')
  const sync = new BlockSync({ best: () => ours.best(), finalizedNumber: () => ours.finalized().number, hashAt: (n) => ours.blockAt(n)?.hash, has: (h) => ours.block(h) !== undefined })
  assert.equal(sync.nextRequest(), undefined, 'no peer yet')
  sync.peerBest('p', 3, theirs.bestBlock.hash)
  const r = sync.nextRequest()!
  assert.deepEqual(r.request, { fields: BLOCK_HEADER | BLOCK_BODY | BLOCK_JUSTIFICATION, from: { number: 1 }, direction: 'ascending', maxBlocks: 3 })
  assert.equal(sync.nextRequest(), undefined, 'one request per peer at a time')
  const data = theirs.blocks(r.request, 3)
  const ok = sync.onResponse('p', data)
  assert.ok(ok.ok && ok.blocks.length === 3 && toHex(ok.blocks[2].hash) === toHex(theirs.bestBlock.hash))
  // the same response again was not requested
  assert.deepEqual(sync.onResponse('p', data), { ok: false, reason: 'unrequested block response' })
  // a header that does not hash to the hash it comes with
  sync.nextRequest()
  const forged = data.map((d, i) => (i === 1 ? { ...d, header: encodeHeader({ ...theirs.blockAt(2)!.header, stateRoot: new Uint8Array(32) }) } : d))
  assert.deepEqual(sync.onResponse('p', forged), { ok: false, reason: 'header does not hash to its block hash' })
  // blocks out of order
  sync.nextRequest()
  const swapped = sync.onResponse('p', [data[1], data[0]])
  assert.equal(swapped.ok, false)
})

test('SyncService: imports a good peer’s chain with execution; bans a peer with bad seals', { ...needsFixtures, timeout: 60_000 }, async () => {
  const good = chainOf(3, '//Alice')
  const bad = chainOf(2, '//Charlie') // not an Aura authority of node-template
  const goodHost = await NetworkHost.start({ transports: nodeTransports(), server: good.chain, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const badHost = await NetworkHost.start({ transports: nodeTransports(), server: bad.chain, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const mine = new DevChain(good.spec)
  const svc = await SyncService.start({ spec: good.spec, chain: mine, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [badHost.addresses()[0], goodHost.addresses()[0]] })
  try {
    for (let i = 0; i < 400 && (mine.best().number < 3 || !svc.host.isBanned(badHost.peerId)); i++) await new Promise((r) => setTimeout(r, 25))
    assert.equal(toHex(mine.bestBlock.hash), toHex(good.chain.bestBlock.hash), 'the good chain is imported')
    assert.equal(toHex(mine.bestBlock.header.stateRoot), toHex(good.chain.bestBlock.header.stateRoot))
    assert.ok(svc.host.isBanned(badHost.peerId), 'the peer with bad seals is banned')
  } finally {
    await svc.stop()
    await goodHost.stop()
    await badHost.stop()
  }
})

test('BlockSync: behind a peer it asks above its best block, not its finalized one (justifications are rare)', () => {
  // 300 blocks held, none finalized: peers keep justifications only for set changes and every 512th
  // block, so asking above the finalized block would fetch the same 128 blocks forever
  const sync = new BlockSync({ best: () => ({ number: 300, hash: new Uint8Array(32) }), finalizedNumber: () => 0, hashAt: () => new Uint8Array(32), has: () => false })
  sync.peerBest('p', 1000, new Uint8Array(32).fill(1))
  assert.deepEqual(sync.nextRequest()!.request.from, { number: 301 })
  // level with the peer: above the finalized block, for the justifications of blocks already held
  // (only when the peer has finalized more than we have: its neighbor packet says so)
  const level = new BlockSync({ best: () => ({ number: 300, hash: new Uint8Array(32) }), finalizedNumber: () => 250, hashAt: () => new Uint8Array(32), has: () => true })
  level.peerBest('q', 300, new Uint8Array(32).fill(1))
  assert.equal(level.nextRequest(), undefined, 'nothing to ask a peer whose finality is not known to be ahead')
  level.peerFinalized('q', 280)
  assert.deepEqual(level.nextRequest()!.request.from, { number: 251 })
})
