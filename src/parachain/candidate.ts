// Parachain candidates as Polkadot's relay runtime takes them (the `v2` primitives of polkadot v0.9.39,
// runtime 9390, whose layout later versions keep): the persisted validation data a candidate is built on,
// the descriptor a collator signs, the commitments its block produced, the candidate hash validators
// sign, the backing statements and availability bitfields with their signing payloads, and the
// `ParachainsInherentData` a relay block author hands to `ParaInherent::enter`. Encoders and decoders
// only: what to put in them is the relay author's business (`full-node/para-backing.ts`) and the
// collator's. Pure.

import { Reader, Writer, concatBytes, utf8 } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { encodeHeader, type Header } from '../header/index.ts'

/** `PersistedValidationData`: what a parachain block is validated against, fixed at its relay parent. */
export interface PersistedValidationData {
  parentHead: Uint8Array
  relayParentNumber: number
  relayParentStorageRoot: Uint8Array
  maxPovSize: number
}

/** `CandidateDescriptor`: a candidate's identity, signed by its collator. */
export interface CandidateDescriptor {
  paraId: number
  relayParent: Uint8Array
  /** The collator's sr25519 public key. */
  collator: Uint8Array
  persistedValidationDataHash: Uint8Array
  povHash: Uint8Array
  erasureRoot: Uint8Array
  /** The collator's signature of `collatorSignaturePayload`. */
  signature: Uint8Array
  /** blake2-256 of the commitments' head data. */
  paraHead: Uint8Array
  validationCodeHash: Uint8Array
}

export interface OutboundHrmpMessage {
  recipient: number
  data: Uint8Array
}

/** `CandidateCommitments`: what executing the candidate's block produced. */
export interface CandidateCommitments {
  upwardMessages: Uint8Array[]
  horizontalMessages: OutboundHrmpMessage[]
  newValidationCode?: Uint8Array
  /** The new head of the parachain: the SCALE header of its block. */
  headData: Uint8Array
  processedDownwardMessages: number
  hrmpWatermark: number
}

export interface CommittedCandidateReceipt {
  descriptor: CandidateDescriptor
  commitments: CandidateCommitments
}

/** Who signs a statement or bitfield, and where: the session and the relay block it is about. */
export interface SigningContext {
  sessionIndex: number
  parentHash: Uint8Array
}

/** A backing vote: `implicit` is the validator that seconded the candidate, `explicit` one that checked it. */
export interface ValidityAttestation {
  kind: 'implicit' | 'explicit'
  signature: Uint8Array
}

export interface BackedCandidate {
  candidate: CommittedCandidateReceipt
  /** One per set bit of `validatorIndices`, in group order. */
  validityVotes: ValidityAttestation[]
  /** The backers' positions in the group assigned to the core. */
  validatorIndices: boolean[]
}

export interface SignedBitfield {
  /** One bit per availability core: this validator holds its chunk of the candidate occupying it. */
  bits: boolean[]
  validatorIndex: number
  signature: Uint8Array
}

export interface ParachainsInherent {
  bitfields: SignedBitfield[]
  backedCandidates: BackedCandidate[]
  parentHeader: Header
}

export function encodePersistedValidationData(d: PersistedValidationData): Uint8Array {
  return new Writer(d.parentHead.length + 48).vecU8(d.parentHead).u32(d.relayParentNumber).bytes(d.relayParentStorageRoot).u32(d.maxPovSize).finish()
}

export function readPersistedValidationData(r: Reader): PersistedValidationData {
  return { parentHead: r.vecU8(), relayParentNumber: r.u32(), relayParentStorageRoot: r.bytes_(32), maxPovSize: r.u32() }
}

/** The bytes a collator signs: relay parent, para id, validation data hash, PoV hash, validation code hash. */
export function collatorSignaturePayload(d: Pick<CandidateDescriptor, 'relayParent' | 'paraId' | 'persistedValidationDataHash' | 'povHash' | 'validationCodeHash'>): Uint8Array {
  return new Writer(132).bytes(d.relayParent).u32(d.paraId).bytes(d.persistedValidationDataHash).bytes(d.povHash).bytes(d.validationCodeHash).finish()
}

function writeDescriptor(w: Writer, d: CandidateDescriptor): void {
  w.u32(d.paraId).bytes(d.relayParent).bytes(d.collator).bytes(d.persistedValidationDataHash).bytes(d.povHash).bytes(d.erasureRoot).bytes(d.signature).bytes(d.paraHead).bytes(d.validationCodeHash)
}

function readDescriptor(r: Reader): CandidateDescriptor {
  return {
    paraId: r.u32(),
    relayParent: r.bytes_(32),
    collator: r.bytes_(32),
    persistedValidationDataHash: r.bytes_(32),
    povHash: r.bytes_(32),
    erasureRoot: r.bytes_(32),
    signature: r.bytes_(64),
    paraHead: r.bytes_(32),
    validationCodeHash: r.bytes_(32),
  }
}

export function encodeCommitments(c: CandidateCommitments): Uint8Array {
  const w = new Writer(c.headData.length + 64)
  w.vec(c.upwardMessages, (x, m) => void x.vecU8(m))
  w.vec(c.horizontalMessages, (x, m) => void x.u32(m.recipient).vecU8(m.data))
  w.option(c.newValidationCode, (x, code) => void x.vecU8(code))
  return w.vecU8(c.headData).u32(c.processedDownwardMessages).u32(c.hrmpWatermark).finish()
}

function readCommitments(r: Reader): CandidateCommitments {
  const upwardMessages = r.vec((x) => x.vecU8())
  const horizontalMessages = r.vec((x) => ({ recipient: x.u32(), data: x.vecU8() }), 5)
  const newValidationCode = r.option((x) => x.vecU8())
  return { upwardMessages, horizontalMessages, newValidationCode, headData: r.vecU8(), processedDownwardMessages: r.u32(), hrmpWatermark: r.u32() }
}

export function encodeCommittedCandidateReceipt(c: CommittedCandidateReceipt): Uint8Array {
  const w = new Writer(c.commitments.headData.length + 400)
  writeDescriptor(w, c.descriptor)
  return w.bytes(encodeCommitments(c.commitments)).finish()
}

/** Decodes a SCALE `CommittedCandidateReceipt`. Throws DecodeError on malformed or trailing bytes. */
export function decodeCommittedCandidateReceipt(bytes: Uint8Array): CommittedCandidateReceipt {
  const r = new Reader(bytes)
  const c = { descriptor: readDescriptor(r), commitments: readCommitments(r) }
  r.finish()
  return c
}

/** The candidate hash: blake2-256 of the plain receipt (the descriptor and the commitments' hash). */
export function candidateHash(c: CommittedCandidateReceipt): Uint8Array {
  const w = new Writer(400)
  writeDescriptor(w, c.descriptor)
  return blake2_256(w.bytes(blake2_256(encodeCommitments(c.commitments))).finish())
}

function writeContext(w: Writer, ctx: SigningContext): Writer {
  return w.u32(ctx.sessionIndex).bytes(ctx.parentHash)
}

/** The bytes a backing validator signs: `CompactStatement` ("BKNG", Seconded 1 / Valid 2, candidate hash) and the context. */
export function statementPayload(kind: ValidityAttestation['kind'], hash: Uint8Array, ctx: SigningContext): Uint8Array {
  return writeContext(new Writer(73).bytes(utf8('BKNG')).u8(kind === 'implicit' ? 1 : 2).bytes(hash), ctx).finish()
}

/** SCALE of a `BitVec<u8, Lsb0>`: the bit count, then the bits, least significant first in each byte. */
export function encodeBitVec(bits: readonly boolean[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((b, i) => {
    if (b) bytes[i >> 3] |= 1 << (i & 7)
  })
  return new Writer(bytes.length + 5).compact(bits.length).bytes(bytes).finish()
}

export function readBitVec(r: Reader): boolean[] {
  const n = r.compactNumber(1 << 20)
  const bytes = r.bytes_(Math.ceil(n / 8))
  return Array.from({ length: n }, (_, i) => (bytes[i >> 3] & (1 << (i & 7))) !== 0)
}

/** The bytes a validator signs for an availability bitfield: the bitfield and the context. */
export function bitfieldPayload(bits: readonly boolean[], ctx: SigningContext): Uint8Array {
  return concatBytes(encodeBitVec(bits), writeContext(new Writer(36), ctx).finish())
}

/** SCALE `ParachainsInherentData` (the `parachn0` inherent): bitfields, backed candidates, no disputes, the parent header. */
export function encodeParachainsInherent(d: ParachainsInherent): Uint8Array {
  const w = new Writer(1024)
  w.vec(d.bitfields, (x, b) => void x.bytes(encodeBitVec(b.bits)).u32(b.validatorIndex).bytes(b.signature))
  w.vec(d.backedCandidates, (x, b) => {
    x.bytes(encodeCommittedCandidateReceipt(b.candidate))
    x.vec(b.validityVotes, (y, v) => void y.u8(v.kind === 'implicit' ? 1 : 2).bytes(v.signature))
    x.bytes(encodeBitVec(b.validatorIndices))
  })
  w.compact(0) // disputes
  return w.bytes(encodeHeader(d.parentHeader)).finish()
}
