// The pure warp machine (`WarpSync`) on real Rococo fragments (../shared/fixtures/recorded/warp/: real headers
// and justifications, assembled into proofs by the recorder): one proof taken as two responses — the first
// unfinished, ending at a set change — verifies to the same target as the whole proof; the second request
// starts from the first response's last fragment; an unfinished response must end at a set change, and must
// hold something; fragments must be above our finalized block. Set 2149's list was never recorded: its 47
// signers are members of the 69-key set-2150 list (the README's hint), which reaches the threshold 47.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { GrandpaError, decodeWarpProof, verifyWarpProof, type AuthoritySet } from '../../src/finality/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { WarpSync } from '../../src/sync/index.ts'
import { needsFixtures, readFixture, readFixtureText } from '../support/fixtures.ts'

const code = (c: string) => (e: unknown) => e instanceof GrandpaError && e.code === c
function setOf(id: number, listOf: number): AuthoritySet {
  const sets = JSON.parse(readFixtureText('recorded', 'grandpa', 'rococo_authority_sets_and_epochs.json')).sets as { set_id: number; authorities: { id: string }[] }[]
  return { setId: BigInt(id), authorities: sets.find((s) => s.set_id === listOf)!.authorities.map((a) => ({ publicKey: fromHex(a.id), weight: 1n })) }
}
const ZERO = { number: 0, hash: new Uint8Array(32) }

test('WarpSync: a real two-fragment proof as two responses verifies to the same target as in one; the next request starts from the last fragment', needsFixtures, () => {
  const proof = decodeWarpProof(readFixture('recorded', 'warp', 'rococo_assembled_warp_from_set2149_2fragments.bin'))
  const start = setOf(2149, 2150)
  const whole = verifyWarpProof(proof, start)!
  const w = new WarpSync(ZERO, start)
  assert.equal(w.requestFrom, ZERO.hash)
  w.addResponse({ fragments: [proof.fragments[0]], isFinished: false })
  assert.equal(toHex(w.requestFrom), toHex(headerHash(proof.fragments[0].header)), 'the next request names the last fragment')
  assert.ok(w.needsMore)
  assert.ok(w.verifyNext())
  assert.equal(w.verifyNext(), false)
  assert.equal(w.target, undefined, 'no target before the finished response')
  w.addResponse({ fragments: [proof.fragments[1]], isFinished: true })
  while (w.verifyNext());
  assert.equal(toHex(w.target!.finalizedHash), toHex(whole.finalizedHash))
  assert.equal(w.target!.finalized.number, 1_238_699)
  assert.equal(w.target!.set.setId, 2150n)
  assert.deepEqual([w.verifiedCount, w.responseCount], [2, 2])
  assert.throws(() => w.addResponse({ fragments: [], isFinished: true }), code('Malformed'), 'nothing after the finished response')
})

test('WarpSync refuses: an unfinished response without a set change at its end, an empty unfinished response, fragments not above our block', needsFixtures, () => {
  const proof = decodeWarpProof(readFixture('recorded', 'warp', 'rococo_assembled_warp_from_set3165_1fragment.bin'))
  const start = setOf(3165, 3165)
  // the fragment (#1,843,864) carries no set change: fine as the end of a finished proof only
  const unfinished = new WarpSync(ZERO, start)
  unfinished.addResponse({ fragments: proof.fragments, isFinished: false })
  assert.throws(() => unfinished.verifyNext(), code('MissingSetChange'))
  assert.throws(() => new WarpSync(ZERO, start).addResponse({ fragments: [], isFinished: false }), code('Malformed'))
  const above = new WarpSync({ number: 1_843_864, hash: new Uint8Array(32) }, start)
  above.addResponse(proof)
  assert.throws(() => above.verifyNext(), code('BadSetChange'))
  const ok = new WarpSync(ZERO, start)
  ok.addResponse(proof)
  assert.ok(ok.verifyNext())
  assert.equal(ok.target!.finalized.number, 1_843_864)
  // an empty finished proof: nothing newer, no target
  const empty = new WarpSync(ZERO, start)
  empty.addResponse({ fragments: [], isFinished: true })
  assert.equal(empty.verifyNext(), false)
  assert.equal(empty.target, undefined)
  assert.equal(empty.needsMore, false)
})
