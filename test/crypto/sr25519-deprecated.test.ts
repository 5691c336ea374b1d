// sp-io's `sr25519_verify` version 1 accepts pre-2019 schnorrkel 0.1 signatures too. The vector is
// Substrate's own (sp-core `verify_from_old_wasm_works`, produced by schnorrkel-js): the zero seed's key
// signing "SUBSTRATE". It verifies with the deprecated rules and not with the current ones; any bit flip
// fails; current-format signatures still verify through the same function.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as sr25519 from '@scure/sr25519'
import { fromHex, utf8 } from '../../src/codec/index.ts'
import { sr25519Verify, sr25519VerifyDeprecated } from '../../src/crypto/index.ts'

const OLD = fromHex('0x28a854d54903e056f89581c691c1f7d2ff39f8f896c9e9c22475e60902cc2b3547199e0e91fa32902028f2ca2355e8cdd16cfe19ba5e8b658c94aa80f3b81a00')

test('a schnorrkel 0.1 signature verifies with sr25519_verify v1 rules only', () => {
  const pub = sr25519.getPublicKey(sr25519.secretFromSeed(new Uint8Array(32)))
  const msg = utf8('SUBSTRATE')
  assert.equal(sr25519VerifyDeprecated(OLD, msg, pub), true)
  assert.equal(sr25519Verify(OLD, msg, pub), false)
  for (let bit = 0; bit < 512; bit += 37) {
    const bad = OLD.slice()
    bad[bit >> 3] ^= 1 << (bit & 7)
    assert.equal(sr25519VerifyDeprecated(bad, msg, pub), false, `bit ${bit}`)
  }
  assert.equal(sr25519VerifyDeprecated(OLD, utf8('SUBSTRATF'), pub), false)
  const secret = sr25519.secretFromSeed(new Uint8Array(32).fill(7))
  const modern = sr25519.sign(secret, msg)
  assert.equal(sr25519VerifyDeprecated(modern, msg, sr25519.getPublicKey(secret)), true)
})
