// Development keys from the standard dev phrase. Expected public keys are public facts (every
// Substrate dev chain lists them: `subkey inspect //Alice`), not values computed by this code.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as sr from '@scure/sr25519'
import { ed25519 } from '@noble/curves/ed25519.js'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { KeyUriError, ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'

test('dev keys: //Alice and //Bob (sr25519 and ed25519) and the dev phrase root', () => {
  assert.equal(toHex(sr25519FromSuri('//Alice').publicKey), '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d')
  assert.equal(toHex(sr25519FromSuri('//Bob').publicKey), '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48')
  assert.equal(toHex(ed25519FromSuri('//Alice').publicKey), '0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee')
  assert.equal(toHex(ed25519FromSuri('//Bob').publicKey), '0xd17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69')
  assert.equal(toHex(sr25519FromSuri('').publicKey), '0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a')
})

test('dev keys sign verifiably; malformed URIs are typed errors', () => {
  const a = sr25519FromSuri('//Alice')
  assert.ok(sr.verify(utf8('hi'), a.sign(utf8('hi')), a.publicKey))
  const e = ed25519FromSuri('//Alice')
  assert.ok(ed25519.verify(e.sign(utf8('hi')), utf8('hi'), e.publicKey))
  assert.throws(() => sr25519FromSuri('not a valid phrase at all//Alice'), KeyUriError)
  assert.throws(() => ed25519FromSuri('//Alice/soft'), KeyUriError)
  assert.notEqual(toHex(sr25519FromSuri('//Alice/soft').publicKey), toHex(a.publicKey))
  assert.equal(sr25519FromSuri('0x' + '00'.repeat(32)).publicKey.length, 32)
})

test('ed25519 signing (native where the host has it) gives RFC 8032 signatures: byte for byte those of @noble/curves', async () => {
  const { ed25519Signer } = await import('../../src/crypto/index.ts')
  for (const suri of ['//Alice', '//Bob', '//Validator7']) {
    const e = ed25519FromSuri(suri)
    const sign = ed25519Signer(e.secret)
    for (const message of [new Uint8Array(), utf8('hi'), new Uint8Array(1000).map((_, i) => i * 7)]) {
      assert.equal(toHex(sign(message)), toHex(ed25519.sign(message, e.secret)))
      assert.equal(toHex(e.sign(message)), toHex(ed25519.sign(message, e.secret)))
    }
  }
  assert.throws(() => ed25519Signer(new Uint8Array(31)), RangeError)
})
