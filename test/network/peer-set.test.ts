// The peer set (pure): which peers to dial again and when. Back-off doubles from 0.5 s up to 3 s for boot
// and saved peers (they are dialled forever), up to 60 s for discovered ones (forgotten after 5 failures in
// a row); a peer lost after a lasting connection is due at once, one that dropped us at once is backed
// off; connected, banned or already-dialling slots are never due; an
// address without a peer id is keyed by the id its first handshake names; discovered slots are bounded.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PeerSet, peerKeyOf } from '../../src/network/index.ts'

const A = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWA'
const B = '/ip4/127.0.0.1/tcp/2/p2p/12D3KooWB'
const never = () => false

test('peer set: back-off per kind, lost peers due at once, connected and banned ones never', () => {
  const s = new PeerSet()
  s.add(A, 'boot', 0)
  s.add(B, 'discovered', 0)
  assert.deepEqual(s.due(0, never, never), [A, B])
  assert.deepEqual(s.due(0, never, never), [], 'being dialled: not due twice')
  // boot: 0.5, 1, 2, 3, 3 s … ; discovered: 0.5, 1, 2, 4 s, then forgotten at the 5th failure
  let t = 0
  const waits: number[] = []
  for (let i = 0; i < 5; i++) {
    s.failed(A, t)
    s.failed(B, t)
    const start = t
    while (!s.due(t, never, never).includes(A)) t += 100
    waits.push(t - start)
  }
  assert.deepEqual(waits, [500, 1000, 2000, 3000, 3000])
  assert.equal(s.has('12D3KooWB'), false, 'a discovered peer failing 5 times in a row is forgotten')
  assert.equal(s.has('12D3KooWA'), true, 'a boot node never is')
  // connected: not due
  s.succeeded(A, '12D3KooWA', t)
  assert.deepEqual(s.due(t + 60_000, () => true, never), [])
  // lost after a lasting connection: due at once
  t += 60_000
  s.lost('12D3KooWA', t)
  assert.deepEqual(s.due(t, never, never), [A], 'lost: due at once')
  // a peer that drops us right after the handshake: backed off, not re-dialled in a loop
  s.succeeded(A, '12D3KooWA', t)
  s.lost('12D3KooWA', t + 100)
  assert.deepEqual(s.due(t + 100, never, never), [], 'dropped at once: not due at once')
  assert.deepEqual(s.due(t + 600, never, never), [A], 'due after the back-off')
  s.succeeded(A, '12D3KooWA', t + 600)
  s.lost('12D3KooWA', t + 5_000)
  assert.deepEqual(s.due(t + 5_000, never, (k) => k === '12D3KooWA'), [], 'banned: not due')
  assert.deepEqual(s.due(t + 5_000, never, never), [A], 'a connection of 4.4 s had lasted: due at once')
})

test('peer set: an address without a peer id is keyed by its handshake; discovered slots are bounded', () => {
  const s = new PeerSet(3)
  const bare = '/ip4/127.0.0.1/tcp/3'
  assert.equal(peerKeyOf(bare), bare)
  s.add(bare, 'boot', 0)
  assert.deepEqual(s.due(0, never, never), [bare])
  s.succeeded(bare, '12D3KooWC', 0)
  assert.equal(s.has('12D3KooWC'), true)
  assert.equal(s.has(bare), false)
  for (let i = 0; i < 10; i++) s.add(`/ip4/127.0.0.1/tcp/${10 + i}/p2p/12D3KooWD${i}`, 'discovered', 0)
  assert.equal(s.size, 1 + 3, 'three discovered slots at most')
  // a boot node already known as discovered is upgraded, not duplicated
  s.add('/ip4/127.0.0.1/tcp/10/p2p/12D3KooWD0', 'boot', 0)
  assert.equal(s.size, 4)
})

test('peer set: the next due time is the earliest back-off or ban end among slots that wait, none when all are connected', () => {
  const s = new PeerSet()
  const noBan = () => 0
  assert.equal(s.nextDueMs(never, noBan), undefined, 'no slot: nothing to wake for')
  s.add(A, 'boot', 1000)
  s.add(B, 'saved', 1000)
  assert.equal(s.nextDueMs(never, noBan), 1000)
  s.due(1000, never, never)
  assert.equal(s.nextDueMs(never, noBan), undefined, 'both being dialled')
  s.failed(A, 1000)
  s.succeeded(B, '12D3KooWB', 1000)
  const connected = (k: string) => k === '12D3KooWB'
  assert.equal(s.nextDueMs(connected, noBan), 1500, "A's back-off ends; B is connected")
  assert.equal(s.nextDueMs(connected, (k) => (k === '12D3KooWA' ? 9000 : 0)), 9000, 'a ban longer than the back-off')
  assert.equal(s.nextDueMs(connected, (k) => (k === '12D3KooWA' ? Infinity : 0)), undefined, 'partitioned away: only a heal wakes it')
  // connected but not announcing after all: due after a back-off, never at once (no dial loop)
  assert.equal(s.nextDueMs(never, (k) => (k === '12D3KooWA' ? Infinity : 0)), 1500)
})
