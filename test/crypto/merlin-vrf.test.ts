// Merlin and the sr25519 VRF. Vectors: dalek-cryptography/merlin's simple transcript test (also in
// gtank/merlin transcript_test.go): "test protocol" / "some label" / "some data" → challenge d5a219…0615.
// Cross-checks against @scure/sr25519, an independent implementation (its Merlin, and VRF proofs it signs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as sr from '@scure/sr25519'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { Transcript } from '../../src/crypto/merlin.ts'
import { vrfVerify } from '../../src/crypto/vrf.ts'

test('Merlin: the published simple-transcript vector', () => {
  const t = new Transcript('test protocol').appendMessage('some label', utf8('some data'))
  assert.equal(toHex(t.challengeBytes('challenge', 32)), '0xd5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615')
})

test('property: Merlin agrees with @scure/sr25519 on random transcripts (incl. messages crossing the Strobe rate)', () => {
  const ScureMerlin = sr.__tests.Merlin as unknown as new (l: string) => { appendMessage(l: string, m: Uint8Array): void; challengeBytes(l: string, n: number): Uint8Array }
  fc.assert(
    fc.property(fc.string(), fc.array(fc.tuple(fc.string(), fc.uint8Array({ maxLength: 400 })), { maxLength: 5 }), fc.integer({ min: 1, max: 300 }), (app, msgs, n) => {
      const a = new Transcript(app)
      const b = new ScureMerlin(app)
      for (const [l, m] of msgs) {
        a.appendMessage(l, m)
        b.appendMessage(l, m)
      }
      assert.equal(toHex(a.challengeBytes('c', n)), toHex(b.challengeBytes('c', n)))
    }),
    { numRuns: 300 },
  )
})

test('VRF: proofs made by @scure/sr25519 verify; any single-bit change of output or proof is rejected', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(7), (seed, msg, pos, bit) => {
      const sk = sr.secretFromSeed(seed)
      const pk = sr.getPublicKey(sk)
      const ctx = utf8('substrate')
      const sig = sr.vrf.sign(msg, sk, ctx, new Uint8Array())
      const transcript = () => new Transcript('SigningContext').appendMessage('', ctx).appendMessage('sign-bytes', msg)
      assert.equal(vrfVerify(pk, transcript(), sig.subarray(0, 32), sig.subarray(32)), true)
      const bad = sig.slice()
      bad[pos % 96] ^= 1 << bit
      assert.equal(vrfVerify(pk, transcript(), bad.subarray(0, 32), bad.subarray(32)), false)
      // another transcript (message) does not verify either
      assert.equal(vrfVerify(pk, new Transcript('SigningContext').appendMessage('', ctx).appendMessage('sign-bytes', utf8('other')), sig.subarray(0, 32), sig.subarray(32)), false)
    }),
    { numRuns: 60 },
  )
})
