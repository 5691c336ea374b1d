// BABE header verification (sc-consensus-babe `verification.rs` semantics): the pre-digest, the epoch
// the slot falls in, the sr25519 VRF over Substrate's transcript ("BABE": slot number, current epoch,
// chain randomness), the primary threshold computed exactly as Substrate does, secondary-slot author
// selection, and the seal over the pre-seal hash. Pure: the current slot is an argument, never read.

import { DecodeError, Writer, concatBytes, utf8 } from '../codec/index.ts'
import { Transcript, blake2_256, sr25519Verify, vrfMakeBytes, vrfVerify } from '../crypto/index.ts'
import { BABE_ENGINE, decodeBabePreDigest, headerHash, preSealHash, sealOf, type Authority, type BabePreDigest, type Header } from '../header/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'

export type BabeVerifyErrorCode =
  | 'MissingPreDigest'
  | 'MultiplePreDigests'
  | 'BadPreDigest'
  | 'MissingSeal'
  | 'BadSeal'
  | 'SlotInFuture'
  | 'SlotBeforeEpoch'
  | 'UnknownAuthority'
  | 'BadSignature'
  | 'VrfVerificationFailed'
  | 'VrfThresholdExceeded'
  | 'SecondarySlotsNotAllowed'
  | 'WrongSecondaryAuthor'
  /** The slot is not after the parent's (several blocks on one won slot). */
  | 'SlotNumberNotIncreasing'
  /** The first block of an epoch lacks NextEpochData (the epoch after it would be unknown). */
  | 'MissingEpochChangeLog'
  /** NextEpochData or NextConfigData in a block that does not start an epoch (a mid-epoch hand-over). */
  | 'UnexpectedEpochChangeLog'

export class BabeVerifyError extends Error {
  override readonly name = 'BabeVerifyError'
  constructor(
    readonly code: BabeVerifyErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** What a successful verification established. */
export interface BabeVerified {
  blockHash: Uint8Array
  slot: bigint
  epochIndex: bigint
  authorityIndex: number
  author: Uint8Array
  kind: BabePreDigest['kind']
  /** Primary blocks add 1 to the chain weight (fork choice); secondary ones 0. */
  primary: boolean
}

/** sc-consensus-babe AUTHORING_SCORE_VRF_CONTEXT and AUTHORING_SCORE_LENGTH. */
const AUTHORING_SCORE_VRF_CONTEXT = utf8('substrate-babe-vrf')
const AUTHORING_SCORE_LENGTH = 16

/** sp-consensus-babe `make_vrf_transcript(randomness, slot, epoch)`. */
export function babeVrfTranscript(randomness: Uint8Array, slot: bigint, epochIndex: bigint): Transcript {
  return new Transcript('BABE').appendU64('slot number', slot).appendU64('current epoch', epochIndex).appendMessage('chain randomness', randomness)
}

/**
 * `calculate_primary_threshold`: 2^128 · (1 − (1 − c)^θ), θ = the author's share of the weight, with
 * the f64 result converted to an exact rational (BigRational::from_float) as Substrate does.
 */
export function primaryThreshold(c: readonly [bigint, bigint], authorities: readonly Authority[], authorityIndex: number): bigint {
  const total = authorities.reduce((s, a) => s + a.weight, 0n)
  const theta = Number(authorities[authorityIndex].weight) / Number(total)
  const p = 1 - Math.pow(1 - Number(c[0]) / Number(c[1]), theta)
  if (!(p > 0)) return 0n
  if (p >= 1) return (1n << 128n) - 1n
  // p = mantissa · 2^(exponent − 1075) exactly, for a normal double in (0, 1)
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, p)
  const bits = dv.getBigUint64(0)
  const exp = Number((bits >> 52n) & 0x7ffn)
  const frac = bits & ((1n << 52n) - 1n)
  const mantissa = exp === 0 ? frac : frac | (1n << 52n)
  const shift = 1075 - (exp === 0 ? 1 : exp)
  return (mantissa << 128n) >> BigInt(shift)
}

/** `secondary_slot_author`: blake2_256((randomness, slot)) as a big-endian integer, modulo the authority count. */
export function secondarySlotAuthor(slot: bigint, authorities: readonly Authority[], randomness: Uint8Array): number {
  const h = blake2_256(concatBytes(randomness, new Writer(8).u64(slot).finish()))
  let v = 0n
  for (const b of h) v = (v << 8n) | BigInt(b)
  return Number(v % BigInt(authorities.length))
}

/** The BABE pre-digest of a header (exactly one is allowed). */
export function babePreDigest(header: Header): BabePreDigest {
  const items = header.digest.filter((d) => d.type === 'preRuntime' && d.engine === BABE_ENGINE)
  if (items.length === 0) throw new BabeVerifyError('MissingPreDigest', 'header has no BABE pre-runtime digest')
  if (items.length > 1) throw new BabeVerifyError('MultiplePreDigests', 'header has more than one BABE pre-runtime digest')
  try {
    return decodeBabePreDigest((items[0] as { payload: Uint8Array }).payload)
  } catch (e) {
    if (e instanceof DecodeError) throw new BabeVerifyError('BadPreDigest', `malformed BABE pre-digest: ${e.message}`)
    throw e
  }
}

/**
 * Verifies a header's BABE claim against `epoch` (the epoch its slot falls in, or the one before it
 * when epochs were skipped). `currentSlot`, when given, rejects headers from the future.
 */
export function verifyBabeHeader(header: Header, epoch: BabeEpoch, currentSlot?: bigint): BabeVerified {
  const pre = babePreDigest(header)
  const seal = sealOf(header)
  if (!seal || seal.engine !== BABE_ENGINE) throw new BabeVerifyError('MissingSeal', 'header is not sealed by BABE')
  if (seal.payload.length !== 64) throw new BabeVerifyError('BadSeal', `BABE seal of ${seal.payload.length} bytes`)
  if (currentSlot !== undefined && pre.slot > currentSlot) throw new BabeVerifyError('SlotInFuture', `slot ${pre.slot} is after the current slot ${currentSlot}`)
  if (pre.slot < epoch.startSlot) throw new BabeVerifyError('SlotBeforeEpoch', `slot ${pre.slot} is before epoch ${epoch.epochIndex} (starts at ${epoch.startSlot})`)
  // A slot past the epoch's end belongs to a later epoch with the same data (epochs were skipped).
  const epochIndex = epoch.epochIndex + (pre.slot - epoch.startSlot) / epoch.duration
  const author = epoch.authorities[pre.authorityIndex]
  if (author === undefined) throw new BabeVerifyError('UnknownAuthority', `authority index ${pre.authorityIndex} out of ${epoch.authorities.length}`)
  const preHash = preSealHash(header)

  if (pre.kind !== 'primary') {
    const allowed = epoch.config.allowedSlots
    if ((pre.kind === 'secondaryPlain' && allowed !== 'primaryAndSecondaryPlain') || (pre.kind === 'secondaryVrf' && allowed !== 'primaryAndSecondaryVrf'))
      throw new BabeVerifyError('SecondarySlotsNotAllowed', `${pre.kind} blocks are not allowed in this epoch (${allowed})`)
    const expected = secondarySlotAuthor(pre.slot, epoch.authorities, epoch.randomness)
    if (expected !== pre.authorityIndex) throw new BabeVerifyError('WrongSecondaryAuthor', `slot ${pre.slot} belongs to authority ${expected}, not ${pre.authorityIndex}`)
  }
  // The VRF is checked before the seal (the order does not change validity) so that a bad VRF is
  // reported as such rather than as the seal it also invalidates.
  if (pre.kind !== 'secondaryPlain') {
    const t = babeVrfTranscript(epoch.randomness, pre.slot, epochIndex)
    if (!vrfVerify(author.publicKey, t, pre.vrfOutput, pre.vrfProof)) throw new BabeVerifyError('VrfVerificationFailed', 'the VRF proof does not verify')
    if (pre.kind === 'primary') {
      const score = leU128(vrfMakeBytes(author.publicKey, babeVrfTranscript(epoch.randomness, pre.slot, epochIndex), pre.vrfOutput, AUTHORING_SCORE_VRF_CONTEXT, AUTHORING_SCORE_LENGTH))
      const threshold = primaryThreshold(epoch.config.c, epoch.authorities, pre.authorityIndex)
      if (score >= threshold) throw new BabeVerifyError('VrfThresholdExceeded', 'the VRF output is above the primary-slot threshold')
    }
  }
  if (!sr25519Verify(seal.payload, preHash, author.publicKey)) throw new BabeVerifyError('BadSignature', 'the seal is not a valid signature of the pre-seal hash by the slot author')
  return { blockHash: headerHash(header), slot: pre.slot, epochIndex, authorityIndex: pre.authorityIndex, author: author.publicKey, kind: pre.kind, primary: pre.kind === 'primary' }
}

function leU128(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i])
  return v
}
