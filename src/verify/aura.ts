// Aura header verification (sc-consensus-aura semantics): the slot from the 'aura' pre-runtime digest,
// the expected author `authorities[slot % n]`, the seal over the pre-seal hash (sr25519 or ed25519 per
// chain), and no slot beyond the current slot plus the allowed drift. Pure: the current slot is given.

import { DecodeError } from '../codec/index.ts'
import { ed25519Verify, sr25519Verify } from '../crypto/index.ts'
import { AURA_ENGINE, decodeAuraPreDigest, headerHash, preSealHash, sealOf, type Header } from '../header/index.ts'

export type AuraVerifyErrorCode = 'MissingPreDigest' | 'MultiplePreDigests' | 'BadPreDigest' | 'MissingSeal' | 'NoAuthorities' | 'SlotInFuture' | 'SlotNotIncreasing' | 'BadSignature'

export class AuraVerifyError extends Error {
  override readonly name = 'AuraVerifyError'
  constructor(
    readonly code: AuraVerifyErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export interface AuraParams {
  authorities: readonly Uint8Array[]
  scheme: 'sr25519' | 'ed25519'
  /** The current slot (from the caller's clock); headers beyond `currentSlot + allowedDrift` are rejected. */
  currentSlot?: bigint
  allowedDrift?: bigint
  /** The parent's slot: a child must have a strictly greater slot. */
  parentSlot?: bigint
}

export interface AuraVerified {
  blockHash: Uint8Array
  slot: bigint
  authorityIndex: number
  author: Uint8Array
}

export function auraSlot(header: Header): bigint {
  const items = header.digest.filter((d) => d.type === 'preRuntime' && d.engine === AURA_ENGINE)
  if (items.length === 0) throw new AuraVerifyError('MissingPreDigest', 'header has no Aura pre-runtime digest')
  if (items.length > 1) throw new AuraVerifyError('MultiplePreDigests', 'header has more than one Aura pre-runtime digest')
  try {
    return decodeAuraPreDigest((items[0] as { payload: Uint8Array }).payload)
  } catch (e) {
    if (e instanceof DecodeError) throw new AuraVerifyError('BadPreDigest', `malformed Aura pre-digest: ${e.message}`)
    throw e
  }
}

export function verifyAuraHeader(header: Header, p: AuraParams): AuraVerified {
  const slot = auraSlot(header)
  const seal = sealOf(header)
  if (!seal || seal.engine !== AURA_ENGINE) throw new AuraVerifyError('MissingSeal', 'header is not sealed by Aura')
  if (p.authorities.length === 0) throw new AuraVerifyError('NoAuthorities', 'empty Aura authority set')
  if (p.currentSlot !== undefined && slot > p.currentSlot + (p.allowedDrift ?? 0n)) throw new AuraVerifyError('SlotInFuture', `slot ${slot} is beyond the current slot ${p.currentSlot}`)
  if (p.parentSlot !== undefined && slot <= p.parentSlot) throw new AuraVerifyError('SlotNotIncreasing', `slot ${slot} is not after the parent's slot ${p.parentSlot}`)
  const authorityIndex = Number(slot % BigInt(p.authorities.length))
  const author = p.authorities[authorityIndex]
  const verify = p.scheme === 'sr25519' ? sr25519Verify : ed25519Verify
  if (!verify(seal.payload, preSealHash(header), author)) throw new AuraVerifyError('BadSignature', `the seal is not a valid ${p.scheme} signature by the slot author ${authorityIndex}`)
  return { blockHash: headerHash(header), slot, authorityIndex, author }
}
