// Peering (service layer): nothing polls. With every slot connected the one timer waits for the next
// Kademlia lookup; a failed dial arms it for the end of that slot's back-off, and the slot is dialled then.
// The host is faked through `PeeringLink`: dials succeed or fail as the test says.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Libp2p } from 'libp2p'
import { Peering } from '../../src/network/peering.ts'

const A = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWA'
const B = '/ip4/127.0.0.1/tcp/2/p2p/12D3KooWB'
const idOf = (addr: string) => addr.split('/p2p/')[1]

test('peering: a failed dial wakes the timer at its back-off, and with all peers connected only the next lookup does', async () => {
  const announcing = new Set<string>()
  const dials: string[] = []
  let bReachable = false
  const libp2p = { getPeers: () => [], peerId: { toString: () => 'self' }, hangUp: async () => {} } as unknown as Libp2p
  const peering = new Peering({ peerSetIntervalMs: 5000 })
  peering.start({
    libp2p,
    async handshakeWith(addr) {
      const a = addr.toString()
      dials.push(a)
      if (a === B && !bReachable) throw new Error('refused')
      announcing.add(idOf(a))
      return { peerId: idOf(a) }
    },
    isAnnouncing: (peer) => announcing.has(peer),
    announcingCount: () => announcing.size,
    dropped: (peer) => announcing.delete(peer),
    async *closestPeers() {},
  })
  try {
    const t0 = Date.now()
    assert.ok(peering.nextWakeAt >= t0 + 4900, 'no slot yet: the first wake-up is the first lookup')
    peering.keepConnected(A, 'boot')
    peering.keepConnected(B, 'boot')
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(dials, [A, B], 'each dialled at once')
    assert.ok(announcing.has(idOf(A)) && !announcing.has(idOf(B)))
    const wake = peering.nextWakeAt - t0
    assert.ok(wake >= 450 && wake <= 700, `B's back-off (0.5 s) arms the timer: ${wake} ms`)
    bReachable = true
    await new Promise((r) => setTimeout(r, 800))
    assert.deepEqual(dials, [A, B, B], 'B dialled again when its back-off ended, and only B')
    assert.ok(announcing.has(idOf(B)))
    assert.ok(peering.nextWakeAt >= t0 + 4900, `both connected: nothing wakes before the lookup (in ${peering.nextWakeAt - Date.now()} ms)`)
    // a lost peer whose connection lasted is dialled again at once, without waiting for any timer
    announcing.delete(idOf(A))
    await new Promise((r) => setTimeout(r, 2100))
    peering.lost(idOf(A))
    await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(dials, [A, B, B, A])
  } finally {
    peering.stop()
  }
})

test('peering: while a lookup runs and no slot waits, no timer is armed; the lookup finding nobody doubles the gap', async () => {
  let release!: () => void
  const lookups: number[] = []
  const libp2p = {
    getPeers: () => ['someone'],
    peerId: { toString: () => 'self' },
    hangUp: async () => {},
  } as unknown as Libp2p
  const peering = new Peering({ peerSetIntervalMs: 100 })
  peering.start({
    libp2p,
    handshakeWith: async () => ({ peerId: 'x' }),
    isAnnouncing: () => false,
    announcingCount: () => 0,
    dropped: () => {},
    async *closestPeers() {
      lookups.push(Date.now())
      await new Promise<void>((r) => (release = r))
    },
  })
  try {
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(lookups.length, 1, 'the first lookup started')
    assert.equal(peering.nextWakeAt, Infinity, 'nothing armed while it runs')
    const wakes = peering.wakeUps
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(peering.wakeUps, wakes, 'and nothing fires (an Infinity timeout would fire at once, again and again)')
    const ended = Date.now()
    release()
    await new Promise((r) => setTimeout(r, 20))
    const gap = peering.nextWakeAt - ended
    assert.ok(gap >= 150 && gap <= 260, `found nobody: the next lookup in twice the interval (${gap} ms)`)
  } finally {
    peering.stop()
  }
})
