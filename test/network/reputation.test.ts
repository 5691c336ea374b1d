// Peer reputation as Substrate's peer store keeps it: changes add up, the score decays toward zero by
// 1/200 per second (time is an argument), and only a score at or below 82% of i32::MIN bans. A slow peer
// (timeouts) or one that relays bad transactions loses reputation but is not banned for a few of them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BANNED_THRESHOLD, PeerReputations, REP } from '../../src/network/index.ts'

test('reputation: changes add up, decay toward zero, ban only past the threshold, memory bounded', () => {
  const r = new PeerReputations(3)
  let t = 1_000_000
  for (let i = 0; i < 100; i++) assert.equal(r.change('slow', REP.TIMEOUT, t).banned, false)
  assert.equal(r.get('slow', t), 100 * REP.TIMEOUT.value)
  // 1/200 per second: after 200 s about 1/e of it is left (0.995^200 ≈ 0.367)
  const later = r.get('slow', t + 200_000)
  assert.ok(later > 100 * REP.TIMEOUT.value * 0.38 && later < 100 * REP.TIMEOUT.value * 0.36, String(later))
  assert.equal(r.get('slow', t + 10_000_000), 0, 'it decays to zero')
  assert.equal(r.change('bad-tx', REP.BAD_TRANSACTION, t).banned, false, 'one bad transaction is not a ban')
  assert.equal(BANNED_THRESHOLD, -1760936591)
  assert.equal(r.change('awful', { value: BANNED_THRESHOLD, reason: 'test' }, t).banned, true)
  // bounded: the entries nearest to neutral are forgotten first
  r.change('good', REP.GOOD_TRANSACTION, t)
  assert.ok(r.size <= 3)
  assert.equal(r.get('awful', t), BANNED_THRESHOLD, 'the worst is kept')
})
