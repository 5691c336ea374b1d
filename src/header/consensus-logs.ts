// Typed payloads of consensus digest items: BABE pre-digests and consensus logs (sp-consensus-babe),
// the Aura slot (sp-consensus-aura) and GRANDPA consensus logs (sp-consensus-grandpa). Pure decoding
// with DecodeErrors; no verification here (that is src/verify and src/finality).

import { DecodeError, Reader, Writer } from '../codec/index.ts'

export interface Authority {
  publicKey: Uint8Array
  weight: bigint
}

export type BabePreDigest =
  | { kind: 'primary'; authorityIndex: number; slot: bigint; vrfOutput: Uint8Array; vrfProof: Uint8Array }
  | { kind: 'secondaryPlain'; authorityIndex: number; slot: bigint }
  | { kind: 'secondaryVrf'; authorityIndex: number; slot: bigint; vrfOutput: Uint8Array; vrfProof: Uint8Array }

/** BABE allowed slots (sp-consensus-babe AllowedSlots). */
export type BabeAllowedSlots = 'primary' | 'primaryAndSecondaryPlain' | 'primaryAndSecondaryVrf'
const ALLOWED: BabeAllowedSlots[] = ['primary', 'primaryAndSecondaryPlain', 'primaryAndSecondaryVrf']

export interface BabeConfig {
  /** Probability of a primary slot: c = numerator / denominator. */
  c: [bigint, bigint]
  allowedSlots: BabeAllowedSlots
}

export type BabeConsensusLog =
  | { kind: 'nextEpochData'; authorities: Authority[]; randomness: Uint8Array }
  | { kind: 'onDisabled'; authorityIndex: number }
  | { kind: 'nextConfigData'; config: BabeConfig }

export interface GrandpaScheduledChange {
  nextAuthorities: Authority[]
  delay: number
}
export type GrandpaConsensusLog =
  | { kind: 'scheduledChange'; change: GrandpaScheduledChange }
  | { kind: 'forcedChange'; medianLastFinalized: number; change: GrandpaScheduledChange }
  | { kind: 'onDisabled'; authorityIndex: bigint }
  | { kind: 'pause'; delay: number }
  | { kind: 'resume'; delay: number }

export type AuraConsensusLog = { kind: 'authoritiesChange'; authorities: Uint8Array[] } | { kind: 'onDisabled'; authorityIndex: number }

function whole<T>(payload: Uint8Array, fn: (r: Reader) => T): T {
  const r = new Reader(payload)
  const v = fn(r)
  r.finish()
  return v
}

/** `(public key [32], weight u64)` as used by BABE and GRANDPA authority lists. */
export function readAuthority(r: Reader): Authority {
  return { publicKey: r.bytes_(32), weight: r.u64() }
}
export function writeAuthority(w: Writer, a: Authority): void {
  w.bytes(a.publicKey).u64(a.weight)
}

export function readBabeConfig(r: Reader): BabeConfig {
  const c: [bigint, bigint] = [r.u64(), r.u64()]
  return { c, allowedSlots: ALLOWED[r.variant(3)] }
}

export function decodeBabePreDigest(payload: Uint8Array): BabePreDigest {
  return whole(payload, (r) => {
    const at = r.pos
    const tag = r.u8()
    if (tag === 1 || tag === 3) {
      const authorityIndex = r.u32()
      const slot = r.u64()
      const vrfOutput = r.bytes_(32)
      const vrfProof = r.bytes_(64)
      return { kind: tag === 1 ? 'primary' : 'secondaryVrf', authorityIndex, slot, vrfOutput, vrfProof }
    }
    if (tag === 2) return { kind: 'secondaryPlain', authorityIndex: r.u32(), slot: r.u64() }
    throw new DecodeError('BadVariant', at, `unknown BABE pre-digest variant ${tag}`)
  })
}

export function encodeBabePreDigest(d: BabePreDigest): Uint8Array {
  const w = new Writer(112)
  w.u8(d.kind === 'primary' ? 1 : d.kind === 'secondaryPlain' ? 2 : 3).u32(d.authorityIndex).u64(d.slot)
  if (d.kind !== 'secondaryPlain') w.bytes(d.vrfOutput).bytes(d.vrfProof)
  return w.finish()
}

export function decodeBabeConsensusLog(payload: Uint8Array): BabeConsensusLog {
  return whole(payload, (r) => {
    const at = r.pos
    const tag = r.u8()
    switch (tag) {
      case 1:
        return { kind: 'nextEpochData', authorities: r.vec(readAuthority, 40), randomness: r.bytes_(32) }
      case 2:
        return { kind: 'onDisabled', authorityIndex: r.u32() }
      case 3: {
        const vat = r.pos
        const version = r.u8()
        if (version !== 1) throw new DecodeError('BadVariant', vat, `unknown NextConfigDescriptor version ${version}`)
        return { kind: 'nextConfigData', config: readBabeConfig(r) }
      }
      default:
        throw new DecodeError('BadVariant', at, `unknown BABE consensus log variant ${tag}`)
    }
  })
}

/** The Aura pre-runtime digest is the slot number alone. */
export function decodeAuraPreDigest(payload: Uint8Array): bigint {
  return whole(payload, (r) => r.u64())
}

export function decodeAuraConsensusLog(payload: Uint8Array): AuraConsensusLog {
  return whole(payload, (r) => {
    const at = r.pos
    const tag = r.u8()
    if (tag === 1) return { kind: 'authoritiesChange', authorities: r.vec((x) => x.bytes_(32), 32) }
    if (tag === 2) return { kind: 'onDisabled', authorityIndex: r.u32() }
    throw new DecodeError('BadVariant', at, `unknown Aura consensus log variant ${tag}`)
  })
}

function readScheduledChange(r: Reader): GrandpaScheduledChange {
  return { nextAuthorities: r.vec(readAuthority, 40), delay: r.u32() }
}

export function decodeGrandpaConsensusLog(payload: Uint8Array): GrandpaConsensusLog {
  return whole(payload, (r) => {
    const at = r.pos
    const tag = r.u8()
    switch (tag) {
      case 1:
        return { kind: 'scheduledChange', change: readScheduledChange(r) }
      case 2: {
        const medianLastFinalized = r.u32()
        return { kind: 'forcedChange', medianLastFinalized, change: readScheduledChange(r) }
      }
      case 3:
        return { kind: 'onDisabled', authorityIndex: r.u64() }
      case 4:
        return { kind: 'pause', delay: r.u32() }
      case 5:
        return { kind: 'resume', delay: r.u32() }
      default:
        throw new DecodeError('BadVariant', at, `unknown GRANDPA consensus log variant ${tag}`)
    }
  })
}
