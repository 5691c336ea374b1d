// Candidate encodings (`src/parachain/candidate.ts`) judged by @polkadot/types' own definitions of the
// relay chain's types (`CommittedCandidateReceipt`, `PersistedValidationData`, `BitVec`), on random
// values: what we encode it decodes field by field, and what it encodes we decode back; the candidate
// hash is blake2-256 of its `CandidateReceipt` (descriptor and commitments hash); malformed bytes are
// refused with a typed error. (That the relay runtime accepts signatures over these payloads is
// `test/full-node/para-inclusion.test.ts`.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TypeRegistry } from '@polkadot/types'
import { DecodeError, toHex } from '../../src/codec/index.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import {
  candidateHash,
  decodeCommittedCandidateReceipt,
  encodeBitVec,
  encodeCommittedCandidateReceipt,
  encodePersistedValidationData,
  type CommittedCandidateReceipt,
} from '../../src/parachain/candidate.ts'

const registry = new TypeRegistry()
type Num = { toNumber(): number }
type Hex = { toHex(): string }
type PolkadotReceipt = {
  toU8a(): Uint8Array
  descriptor: { paraId: Num; relayParent: Hex; signature: Hex; validationCodeHash: Hex }
  commitments: { toU8a(): Uint8Array; headData: Hex; hrmpWatermark: Num; upwardMessages: unknown[]; newValidationCode: { isSome: boolean } }
}
let seed = 42
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) >>> 0
  return (seed >>> 8) % n
}
const bytes = (n: number) => Uint8Array.from({ length: n }, () => rnd(256))

function randomReceipt(): CommittedCandidateReceipt {
  return {
    descriptor: {
      paraId: rnd(5000),
      relayParent: bytes(32),
      collator: bytes(32),
      persistedValidationDataHash: bytes(32),
      povHash: bytes(32),
      erasureRoot: bytes(32),
      signature: bytes(64),
      paraHead: bytes(32),
      validationCodeHash: bytes(32),
    },
    commitments: {
      upwardMessages: Array.from({ length: rnd(3) }, () => bytes(rnd(40))),
      horizontalMessages: Array.from({ length: rnd(3) }, () => ({ recipient: rnd(5000), data: bytes(rnd(40)) })),
      newValidationCode: rnd(2) ? bytes(rnd(100)) : undefined,
      headData: bytes(rnd(300)),
      processedDownwardMessages: rnd(10),
      hrmpWatermark: rnd(1_000_000),
    },
  }
}

test('CommittedCandidateReceipt: ours and @polkadot/types agree both ways; the hash is that of the plain receipt', () => {
  for (let i = 0; i < 50; i++) {
    const c = randomReceipt()
    const encoded = encodeCommittedCandidateReceipt(c)
    const theirs = registry.createType('CommittedCandidateReceipt', encoded) as unknown as PolkadotReceipt
    assert.equal(toHex(theirs.toU8a()), toHex(encoded), 'they decode all of it and encode the same bytes')
    const d = theirs.descriptor
    assert.equal(d.paraId.toNumber(), c.descriptor.paraId)
    assert.equal(d.relayParent.toHex(), toHex(c.descriptor.relayParent))
    assert.equal(d.signature.toHex(), toHex(c.descriptor.signature))
    assert.equal(d.validationCodeHash.toHex(), toHex(c.descriptor.validationCodeHash))
    const m = theirs.commitments
    assert.equal(m.headData.toHex(), toHex(c.commitments.headData))
    assert.equal(m.hrmpWatermark.toNumber(), c.commitments.hrmpWatermark)
    assert.equal(m.upwardMessages.length, c.commitments.upwardMessages.length)
    assert.equal(m.newValidationCode.isSome, c.commitments.newValidationCode !== undefined)
    assert.deepEqual(decodeCommittedCandidateReceipt(theirs.toU8a()), c)
    const plain = registry.createType('CandidateReceipt', { descriptor: theirs.descriptor, commitmentsHash: blake2_256(m.toU8a()) })
    assert.equal(toHex(candidateHash(c)), toHex(blake2_256(plain.toU8a())))
  }
})

test('PersistedValidationData and BitVec encode as @polkadot/types does', () => {
  for (let i = 0; i < 20; i++) {
    const pvd = { parentHead: bytes(rnd(200)), relayParentNumber: rnd(1 << 30), relayParentStorageRoot: bytes(32), maxPovSize: rnd(1 << 30) }
    const theirs = registry.createType('PersistedValidationData', { parentHead: toHex(pvd.parentHead), relayParentNumber: pvd.relayParentNumber, relayParentStorageRoot: toHex(pvd.relayParentStorageRoot), maxPovSize: pvd.maxPovSize })
    assert.equal(toHex(encodePersistedValidationData(pvd)), toHex(theirs.toU8a()))
    const bits = Array.from({ length: rnd(40) }, () => rnd(2) === 1)
    const bitvec = registry.createType('BitVec', encodeBitVec(bits))
    assert.deepEqual(bitvec.toBoolArray().slice(0, bits.length), bits)
    assert.equal(bitvec.bitLength(), Math.ceil(bits.length / 8) * 8)
  }
})

test('malformed receipts are refused with DecodeError', () => {
  const encoded = encodeCommittedCandidateReceipt(randomReceipt())
  assert.throws(() => decodeCommittedCandidateReceipt(encoded.subarray(0, encoded.length - 1)), DecodeError)
  assert.throws(() => decodeCommittedCandidateReceipt(Uint8Array.from([...encoded, 0])), DecodeError)
  assert.throws(() => decodeCommittedCandidateReceipt(new Uint8Array(10)), DecodeError)
})
