import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { blake2_256, blake2_128, blake2_64, twox64, twox128, twox256, keccak256, sha2_256, storagePrefix, storageKey } from '../../src/crypto/index.ts'

// Published vectors: RFC 7693 / reference blake2b of the empty input, the Keccak team's keccak-256(""),
// FIPS 180-4 sha256("abc"), and storage prefixes that appear on every Substrate chain (System.Account).
test('blake2b, keccak, sha2 against published vectors', () => {
  assert.equal(toHex(blake2_256(new Uint8Array())), '0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8')
  assert.equal(toHex(keccak256(new Uint8Array())), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  assert.equal(toHex(sha2_256(utf8('abc'))), '0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  assert.equal(blake2_128(utf8('x')).length, 16)
  assert.equal(blake2_64(utf8('x')).length, 8)
})

test('twox: Substrate storage prefixes', () => {
  assert.equal(toHex(twox128(utf8('System'))), '0x26aa394eea5630e07c48ae0c9558cef7')
  assert.equal(toHex(twox128(utf8('Account'))), '0xb99d880ec681799c0cf30e8886371da9')
  assert.equal(toHex(storagePrefix('Timestamp', 'Now')), '0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb')
  assert.equal(toHex(twox64(utf8(''))), '0x99e9d85137db46ef') // xxh64("", 0) = 0xef46db3751d8e999
  assert.deepEqual(twox256(utf8('System')).subarray(0, 16), twox128(utf8('System')))
})

test('storage-key hashers', () => {
  const acc = new Uint8Array(32).fill(1)
  const k = storageKey('System', 'Account', ['Blake2_128Concat', acc])
  assert.equal(k.length, 32 + 16 + 32)
  assert.deepEqual(k.subarray(48), acc)
  assert.deepEqual(k.subarray(32, 48), blake2_128(acc))
  const k2 = storageKey('X', 'Y', ['Twox64Concat', utf8('a')], ['Identity', utf8('b')])
  assert.equal(toHex(k2.subarray(32)), toHex(twox64(utf8('a'))) + '6162')
})

test('property: WebAssembly blake2b agrees with @noble/hashes (independent implementation) at every output size', async () => {
  const fc = (await import('fast-check')).default
  const { blake2b } = await import('@noble/hashes/blake2.js')
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
      assert.deepEqual(blake2_256(data), blake2b(data, { dkLen: 32 }))
      assert.deepEqual(blake2_128(data), blake2b(data, { dkLen: 16 }))
      assert.deepEqual(blake2_64(data), blake2b(data, { dkLen: 8 }))
    }),
    { numRuns: 500 },
  )
})
