// WebCrypto's Ed25519 checked ahead of time (the browser path), run here on Node's WebCrypto, which has
// Ed25519 too: the 199 precommit signatures of the real Polkadot #4,635,975 justification (set 450) are
// proven valid; damaged ones are not (and are left to the synchronous ZIP-215 path); each signature is
// tried once, so a second call has nothing to wait for; under Node the public entry never waits at all.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { preverifyWithWebCrypto, provenValid } from '../../src/crypto/ed25519-async.ts'
import { ed25519Verify, preverifyEd25519 } from '../../src/crypto/index.ts'
import { decodeJustification, precommitSignatures } from '../../src/finality/index.ts'
import { readFixture } from '../support/fixtures.ts'

const j = decodeJustification(readFixture('recorded', 'grandpa', 'polkadot_4635975_justification.bin'))

test('WebCrypto proves a real justification\'s precommits valid, refuses damaged ones, and tries each once', async () => {
  const items = precommitSignatures(j, 450n)
  assert.equal(items.length, 199)
  const wrongSet = precommitSignatures(j, 449n).slice(0, 5) // the message names another set: not what was signed
  const flipped = items.slice(0, 5).map((s, i) => ({ ...s, signature: s.signature.map((b, k) => (k === i ? b ^ 1 : b)) }))
  assert.ok(items.every((s) => !provenValid(s.signature, s.message, s.publicKey)))
  const pending = preverifyWithWebCrypto([...items, ...wrongSet, ...flipped])
  assert.ok(pending, 'fresh signatures: something to wait for')
  await pending
  assert.equal(items.filter((s) => provenValid(s.signature, s.message, s.publicKey)).length, 199)
  for (const s of [...wrongSet, ...flipped]) {
    assert.equal(provenValid(s.signature, s.message, s.publicKey), false)
    assert.equal(ed25519Verify(s.signature, s.message, s.publicKey), false)
  }
  assert.equal(preverifyWithWebCrypto([...items, ...wrongSet, ...flipped]), undefined, 'all tried already: nothing to wait for')
})

test('under Node (native Ed25519) preverifyEd25519 never waits nor even lists the signatures', () => {
  let listed = false
  const r = preverifyEd25519(() => {
    listed = true
    return precommitSignatures(j, 450n)
  })
  assert.equal(r, undefined)
  assert.equal(listed, false)
})
