// `ext_crypto_*_generate_version_1(id, Some(seed))`: Substrate reads the seed as a UTF-8 secret URI, so
// `//Alice` must give Alice's well-known public keys (published dev keys, not computed by us), for each
// scheme; a seed that is not UTF-8 or not a secret URI traps, as sp-io's `expect` does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { ExecutorError } from '../../src/executor/index.ts'
import { keypairFromSeedArg } from '../../src/executor/host-api.ts'

test('generate with seed "//Alice" makes Alice\'s well-known keys (sr25519, ed25519, ecdsa)', () => {
  assert.equal(toHex(keypairFromSeedArg('sr25519', utf8('//Alice')).publicKey), '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d')
  assert.equal(toHex(keypairFromSeedArg('ed25519', utf8('//Alice')).publicKey), '0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee')
  assert.equal(toHex(keypairFromSeedArg('ecdsa', utf8('//Alice')).publicKey), '0x020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1')
  assert.equal(toHex(keypairFromSeedArg('sr25519', utf8('//Bob')).publicKey), '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48')
})

test('a seed that is not UTF-8 or not a secret URI traps', () => {
  assert.throws(() => keypairFromSeedArg('sr25519', Uint8Array.of(0xff, 0xfe)), (e: unknown) => e instanceof ExecutorError && e.code === 'Trap')
  assert.throws(() => keypairFromSeedArg('ed25519', utf8('not a phrase at all//x')), (e: unknown) => e instanceof ExecutorError && e.code === 'Trap')
  assert.throws(() => keypairFromSeedArg('ed25519', utf8('//Alice/soft')), (e: unknown) => e instanceof ExecutorError && e.code === 'Trap', 'ed25519 has no soft derivation')
})
