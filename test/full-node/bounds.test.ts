// Memory that grows with what peers do must be bounded: churn past each bound and check it holds —
// the sync machine's peers, the compiled-runtime cache, and what the network host keeps per peer
// (peers, substream counts, bans, reputations) once peers come and go.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Runtime, MAX_CACHED_RUNTIMES } from '../../src/executor/index.ts'
import { BlockSync, DevChain, MAX_SYNC_PEERS } from '../../src/full-node/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, GenesisChainServer, NetworkHost } from '../../src/network/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

const H = (n: number) => new Uint8Array(32).fill(n & 0xff)

test('sync machine: past MAX_SYNC_PEERS, a newcomer that knows more replaces an idle peer that knows less; gone peers leave', () => {
  const sync = new BlockSync({ best: () => ({ number: 0, hash: H(0) }), finalizedNumber: () => 0, hashAt: () => undefined, has: () => false })
  for (let i = 0; i < MAX_SYNC_PEERS + 100; i++) sync.peerBest(`p${i}`, 10, H(i))
  assert.equal(sync.peerCount(), MAX_SYNC_PEERS)
  sync.peerBest('better', 50, H(1))
  assert.equal(sync.peerCount(), MAX_SYNC_PEERS)
  assert.equal(sync.highestPeerBlock, 50, 'the better-informed newcomer got a place (before, sync stalled on the first 256)')
  for (let i = 0; i < MAX_SYNC_PEERS + 100; i++) sync.peerGone(`p${i}`)
  assert.equal(sync.peerCount(), 1)
})

/** A minimal valid runtime-shaped module; `salt` changes its bytes (and so its code hash). */
function module(salt: number): Uint8Array {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)]
  const sec = (id: number, body: number[]) => [id, body.length, ...body]
  return Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...sec(5, [1, 0, 1]),
    ...sec(6, [1, 0x7f, 0, 0x41, 0x80, 0x08, 0x0b]),
    ...sec(7, [2, ...name('memory'), 2, 0, ...name('__heap_base'), 3, 0]),
    ...sec(0, [...name('salt'), salt & 0x7f, salt >> 7]),
  ])
}

test('compiled-runtime cache: bounded, least recently used evicted first', () => {
  const first = Runtime.load(module(0))
  const early = Runtime.load(module(1))
  for (let i = 2; i < 3 * MAX_CACHED_RUNTIMES; i++) {
    Runtime.load(module(i))
    Runtime.load(module(0)) // kept warm
  }
  assert.ok(Runtime.cachedCount <= MAX_CACHED_RUNTIMES, `${Runtime.cachedCount} runtimes cached`)
  assert.equal(Runtime.load(module(0)), first, 'the one in use stayed')
  assert.notEqual(Runtime.load(module(1)), early, 'an old one was evicted (and compiles again when asked)')
})

test('network host: what it keeps per peer is released when peers leave; expired bans are dropped', { ...needsFixtures, timeout: 120_000 }, async () => {
  const server = new GenesisChainServer(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
  const host = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'], banMs: 200, peerSetIntervalMs: 100 })
  try {
    for (let i = 0; i < 12; i++) {
      const peer = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
      await peer.handshakeWith(multiaddr(host.addresses()[0]))
      if (i % 3 === 0) host.ban(peer.libp2p.peerId, 'churn test')
      await peer.stop()
    }
    for (let i = 0; i < 100 && (host.trackedState.peers > 0 || host.trackedState.bans > 0); i++) await new Promise((r) => setTimeout(r, 50))
    const t = host.trackedState
    assert.equal(t.peers, 0, JSON.stringify(t))
    assert.equal(t.txStreams, 0, JSON.stringify(t))
    assert.equal(t.announceStreams, 0, JSON.stringify(t))
    assert.equal(t.grandpaStreams, 0, JSON.stringify(t))
    assert.equal(t.bans, 0, 'expired bans pruned')
    assert.ok(t.streamCounts <= 2, JSON.stringify(t))
  } finally {
    await host.stop()
  }
})

test('block responses end before 8 MiB of bodies (Substrate: MAX_BODY_BYTES), never before their first block', needsFixtures, () => {
  const chain = new DevChain(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
  try {
    // six blocks of ~3 MiB bodies: only what fits in 8 MiB goes in one response
    const state = chain.bestBlock.state
    for (let n = 1; n <= 6; n++) {
      const parent = chain.bestBlock
      const header = { ...parent.header, parentHash: parent.hash, number: n, digest: [] }
      chain.add({ header, body: [new Uint8Array(3 * 1024 * 1024).fill(n)] }, state)
    }
    const all = chain.blocks({ fields: BLOCK_HEADER | BLOCK_BODY, from: { number: 1 }, direction: 'ascending', maxBlocks: 128 }, 128)
    assert.deepEqual(all.map((b) => b.body![0][0]), [1, 2], 'two 3 MiB bodies, not a third')
    const bytes = all.reduce((n, b) => n + b.header!.length + b.body![0].length, 0)
    assert.ok(bytes <= 8 * 1024 * 1024, `${bytes} bytes`)
    // headers alone are small: all six
    assert.equal(chain.blocks({ fields: BLOCK_HEADER, from: { number: 1 }, direction: 'ascending', maxBlocks: 128 }, 128).length, 6)
    // one block larger than the limit still goes out alone
    const parent = chain.bestBlock
    chain.add({ header: { ...parent.header, parentHash: parent.hash, number: 7, digest: [] }, body: [new Uint8Array(9 * 1024 * 1024)] }, state)
    assert.equal(chain.blocks({ fields: BLOCK_BODY, from: { number: 7 }, direction: 'ascending', maxBlocks: 128 }, 128).length, 1)
  } finally {
    chain.close()
  }
})
