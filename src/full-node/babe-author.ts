// BABE slot claims and seals for an authoring node (the counterpart of `verify/babe.ts`): whether one of
// our sr25519 keys may author a slot of an epoch — a primary claim when the VRF output is under the
// author's threshold, else the slot's secondary author when the epoch allows secondary slots (with a
// VRF, or plain) — the pre-runtime digest that proves it, and the seal over the pre-seal hash. Pure.

import { vrfMakeBytes, vrfSign, type DevKeypair } from '../crypto/index.ts'
import { bytesEqual, utf8 } from '../codec/index.ts'
import { BABE_ENGINE, encodeBabePreDigest, preSealHash, type BabePreDigest, type Header } from '../header/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'
import { babeVrfTranscript, primaryThreshold, secondarySlotAuthor } from '../verify/index.ts'

/** An sr25519 key able to sign BABE claims (its 64-byte secret signs the VRF). */
export type BabeKey = DevKeypair

/**
 * The claim one of `keys` has on `slot` of `epoch` (epoch index from the slot, as the verifier counts
 * skipped epochs), or undefined when none of them may author it.
 */
export function claimBabeSlot(slot: bigint, epoch: BabeEpoch, keys: readonly BabeKey[]): { preDigest: BabePreDigest; key: BabeKey } | undefined {
  if (slot < epoch.startSlot) return undefined
  const epochIndex = epoch.epochIndex + (slot - epoch.startSlot) / epoch.duration
  const vrf = (key: BabeKey) => vrfSign(key.secret, babeVrfTranscript(epoch.randomness, slot, epochIndex))
  for (const key of keys) {
    const authorityIndex = epoch.authorities.findIndex((a) => bytesEqual(a.publicKey, key.publicKey))
    if (authorityIndex < 0) continue
    const { preOutput, proof } = vrf(key)
    const score = vrfMakeBytes(key.publicKey, babeVrfTranscript(epoch.randomness, slot, epochIndex), preOutput, utf8('substrate-babe-vrf'), 16)
    let v = 0n
    for (let i = score.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(score[i])
    if (v < primaryThreshold(epoch.config.c, epoch.authorities, authorityIndex)) return { key, preDigest: { kind: 'primary', authorityIndex, slot, vrfOutput: preOutput, vrfProof: proof } }
  }
  if (epoch.config.allowedSlots === 'primary' || !epoch.authorities.length) return undefined
  const authorityIndex = secondarySlotAuthor(slot, epoch.authorities, epoch.randomness)
  const key = keys.find((k) => bytesEqual(k.publicKey, epoch.authorities[authorityIndex].publicKey))
  if (!key) return undefined
  if (epoch.config.allowedSlots === 'primaryAndSecondaryPlain') return { key, preDigest: { kind: 'secondaryPlain', authorityIndex, slot } }
  const { preOutput, proof } = vrf(key)
  return { key, preDigest: { kind: 'secondaryVrf', authorityIndex, slot, vrfOutput: preOutput, vrfProof: proof } }
}

/** The BABE pre-runtime digest item of a claim. */
export function babePreRuntimeItem(pre: BabePreDigest): Header['digest'][number] {
  return { type: 'preRuntime', engine: BABE_ENGINE, payload: encodeBabePreDigest(pre) }
}

/** `header` (not yet sealed) with the author's BABE seal appended. */
export function sealBabeHeader(header: Header, key: BabeKey): Header {
  const signature = key.sign(preSealHash(header))
  return { ...header, digest: [...header.digest, { type: 'seal', engine: BABE_ENGINE, payload: signature }] }
}
