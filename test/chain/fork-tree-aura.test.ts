// Aura verification and the fork tree, on headers sealed by an independent signer (@scure/sr25519).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as sr from '@scure/sr25519'
import { Writer } from '../../src/codec/index.ts'
import { headerHash, preSealHash, type Header } from '../../src/header/index.ts'
import { AuraVerifyError, verifyAuraHeader, auraSlot } from '../../src/verify/index.ts'
import { ForkTree } from '../../src/chain/index.ts'

const secrets = [1, 2, 3].map((i) => sr.secretFromSeed(new Uint8Array(32).fill(i)))
const authorities = secrets.map((s) => sr.getPublicKey(s))

function auraHeader(parent: Header, slot: bigint, signer?: number, extra = 0): Header {
  const h: Header = {
    parentHash: headerHash(parent),
    number: parent.number + 1,
    stateRoot: new Uint8Array(32).fill(extra),
    extrinsicsRoot: new Uint8Array(32),
    digest: [{ type: 'preRuntime', engine: 'aura', payload: new Writer(8).u64(slot).finish() }],
  }
  const who = signer ?? Number(slot % BigInt(authorities.length))
  h.digest.push({ type: 'seal', engine: 'aura', payload: sr.sign(secrets[who], preSealHash(h)) })
  return h
}
const genesis: Header = { parentHash: new Uint8Array(32), number: 0, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [] }
const code = (c: string) => (e: unknown) => e instanceof AuraVerifyError && e.code === c

test('Aura: the slot author seals; wrong author, future slot, non-increasing slot fail', () => {
  const h = auraHeader(genesis, 7n)
  const r = verifyAuraHeader(h, { authorities, scheme: 'sr25519', currentSlot: 7n })
  assert.equal(r.authorityIndex, 1)
  assert.equal(auraSlot(h), 7n)
  assert.throws(() => verifyAuraHeader(auraHeader(genesis, 7n, 0), { authorities, scheme: 'sr25519' }), code('BadSignature'))
  assert.throws(() => verifyAuraHeader(h, { authorities, scheme: 'sr25519', currentSlot: 5n, allowedDrift: 1n }), code('SlotInFuture'))
  assert.throws(() => verifyAuraHeader(h, { authorities, scheme: 'sr25519', parentSlot: 7n }), code('SlotNotIncreasing'))
  assert.throws(() => verifyAuraHeader(h, { authorities, scheme: 'ed25519' }), code('BadSignature'))
  assert.throws(() => verifyAuraHeader(genesis, { authorities, scheme: 'sr25519' }), code('MissingPreDigest'))
})

type State = { slot: bigint }
function tree() {
  return new ForkTree<State, AuraVerifyError>(genesis, { slot: 0n }, (parent, header) => {
    try {
      const r = verifyAuraHeader(header, { authorities, scheme: 'sr25519', parentSlot: parent.slot })
      return { ok: true, state: { slot: r.slot }, weight: 1n }
    } catch (e) {
      return { ok: false, error: e as AuraVerifyError }
    }
  })
}

test('fork tree: insert outcomes, best block, finality pruning', () => {
  const t = tree()
  const a1 = auraHeader(genesis, 1n)
  const a2 = auraHeader(a1, 2n)
  const a3 = auraHeader(a2, 3n)
  const b2 = auraHeader(a1, 4n) // a fork at height 2
  assert.equal(t.insert(a2).kind, 'unknownParent')
  const r1 = t.insert(a1)
  assert.ok(r1.kind === 'inserted' && r1.bestChanged)
  assert.equal(t.insert(a1).kind, 'alreadyKnown')
  assert.equal(t.insert(a2).kind, 'inserted')
  const rb = t.insert(b2)
  assert.ok(rb.kind === 'inserted' && !rb.bestChanged, 'equal weight and number: the first seen stays best')
  assert.equal(t.insert(a3).kind, 'inserted')
  assert.deepEqual(t.best.hash, headerHash(a3))
  // invalid: sealed by the wrong authority; a non-increasing slot
  const bad = t.insert(auraHeader(a3, 5n, 0))
  assert.ok(bad.kind === 'invalid' && bad.error.code === 'BadSignature')
  const stale = t.insert(auraHeader(a3, 3n))
  assert.ok(stale.kind === 'invalid' && stale.error.code === 'SlotNotIncreasing')
  assert.equal(t.insert(auraHeader(a3, 9n, undefined, 1)).kind, 'inserted')
  assert.equal(t.size, 6)
  // finalize a2: the fork b2 is pruned, a1 leaves the tree as finalized history
  const f = t.finalize(headerHash(a2))
  assert.ok(f.kind === 'finalized')
  assert.deepEqual(f.pruned.map((b) => b.hash), [headerHash(b2)])
  assert.deepEqual(f.finalizedChain.map((b) => b.header.number), [1, 2])
  assert.deepEqual(t.finalized.hash, headerHash(a2))
  assert.equal(t.insert(b2).kind, 'belowFinalized')
  assert.equal(t.finalize(headerHash(b2)).kind, 'unknownBlock')
  assert.ok(t.isAncestor(headerHash(a2), t.best.hash))
  const wrongNumber = { ...auraHeader(a3, 10n), number: 9 }
  assert.deepEqual(t.insert(wrongNumber), { kind: 'badNumber', expected: 4 })
})
