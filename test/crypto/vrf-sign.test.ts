// VRF signing (ours, over any Merlin transcript) checked against @scure/sr25519's independent VRF: our
// signatures over a signing-context transcript verify with scure's `vrf.verify`, scure's signatures
// verify with our `vrfVerify`, and a flipped bit anywhere fails both ways.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { vrf } from '@scure/sr25519'
import { Transcript } from '../../src/crypto/merlin.ts'
import { sr25519FromSuri, vrfSign, vrfVerify } from '../../src/crypto/index.ts'
import { seededRandom } from '../support/random.ts'

/** schnorrkel's `signing_context(ctx).bytes(msg)`: the transcript scure's `vrf` builds. */
const signingTranscript = (ctx: Uint8Array, msg: Uint8Array) => new Transcript('SigningContext').appendMessage('', ctx).appendMessage('sign-bytes', msg)

test('vrfSign agrees with @scure/sr25519 in both directions; bit flips fail', () => {
  const rnd = seededRandom('vrf-sign')
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd.next() * 256))
  for (const suri of ['//Alice', '//Bob', '//Alice//stash']) {
    const key = sr25519FromSuri(suri)
    for (let i = 0; i < 4; i++) {
      const ctx = bytes(i * 3)
      const msg = bytes(1 + i * 17)
      const ours = vrfSign(key.secret, signingTranscript(ctx, msg), bytes(32))
      const sig = new Uint8Array([...ours.preOutput, ...ours.proof])
      assert.ok(vrf.verify(msg, sig, key.publicKey, ctx), `scure verifies ours (${suri}, ${rnd.describe()})`)
      const theirs = vrf.sign(msg, key.secret, ctx, new Uint8Array(), bytes(32))
      assert.ok(vrfVerify(key.publicKey, signingTranscript(ctx, msg), theirs.subarray(0, 32), theirs.subarray(32)), `we verify scure's (${suri})`)
      // the pre-output is deterministic (the key times the input point): both libraries agree on it
      assert.deepEqual(ours.preOutput, theirs.subarray(0, 32))
      const bit = Math.floor(rnd.next() * 96 * 8)
      const bad = sig.slice()
      bad[bit >> 3] ^= 1 << (bit & 7)
      let scureOk: boolean
      try {
        scureOk = vrf.verify(msg, bad, key.publicKey, ctx)
      } catch {
        scureOk = false
      }
      assert.equal(scureOk, false, `flipped bit ${bit} (${rnd.describe()})`)
      assert.equal(vrfVerify(key.publicKey, signingTranscript(ctx, msg), bad.subarray(0, 32), bad.subarray(32)), false)
      // another message does not verify
      assert.equal(vrfVerify(key.publicKey, signingTranscript(ctx, new Uint8Array([...msg, 0])), ours.preOutput, ours.proof), false)
    }
  }
})
