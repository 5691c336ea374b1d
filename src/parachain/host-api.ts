// Answers of the relay runtime's `ParachainHost` API (v0.9.39 layout) that a relay block author needs
// to fill the parachains inherent: the availability cores (free, scheduled for a para, or occupied by a
// candidate waiting for availability), the validator groups with their rotation, and which group is
// assigned to a core now. Decoders and the scheduler's `group_for_core` formula. Pure.

import { Reader } from '../codec/index.ts'
import { readBitVec } from './candidate.ts'

export type CoreState =
  | { kind: 'occupied'; paraId: number; candidateHash: Uint8Array; groupResponsible: number; nextUpOnAvailable?: number; availability: boolean[] }
  | { kind: 'scheduled'; paraId: number }
  | { kind: 'free' }

/** `GroupRotationInfo`: groups move to the next core every `groupRotationFrequency` blocks of a session. */
export interface GroupRotation {
  sessionStartBlock: number
  groupRotationFrequency: number
  /** The block the answer is for (the child of the block queried). */
  now: number
}

const readScheduledCore = (r: Reader) => {
  const paraId = r.u32()
  r.option((x) => x.bytes_(32)) // required collator (parathreads)
  return paraId
}

/** `ParachainHost_availability_cores`: `Vec<CoreState>`. Throws DecodeError. */
export function decodeAvailabilityCores(bytes: Uint8Array): CoreState[] {
  const r = new Reader(bytes)
  const cores = r.vec((x): CoreState => {
    const v = x.variant(3)
    if (v === 1) return { kind: 'scheduled', paraId: readScheduledCore(x) }
    if (v === 2) return { kind: 'free' }
    const nextUpOnAvailable = x.option(readScheduledCore)
    x.u32() // occupied since
    x.u32() // time out at
    x.option(readScheduledCore) // next up on time out
    const availability = readBitVec(x)
    const groupResponsible = x.u32()
    const candidateHash = x.bytes_(32)
    const paraId = x.u32()
    x.bytes_(7 * 32 + 64) // the rest of the descriptor: relay parent … validation code hash
    return { kind: 'occupied', paraId, candidateHash, groupResponsible, nextUpOnAvailable, availability }
  })
  r.finish()
  return cores
}

/** `ParachainHost_validator_groups`: validator indices by group, and the rotation. Throws DecodeError. */
export function decodeValidatorGroups(bytes: Uint8Array): { groups: number[][]; rotation: GroupRotation } {
  const r = new Reader(bytes)
  const groups = r.vec((x) => x.vec((y) => y.u32(), 4))
  const rotation = { sessionStartBlock: r.u32(), groupRotationFrequency: r.u32(), now: r.u32() }
  r.finish()
  return { groups, rotation }
}

/** The group assigned to `core` of `cores` (the scheduler's `group_for_core`: core plus rotations, modulo cores). */
export function groupForCore(rotation: GroupRotation, core: number, cores: number): number {
  if (rotation.groupRotationFrequency === 0) return core
  if (cores === 0) return 0
  const rotations = Math.floor(Math.max(0, rotation.now - rotation.sessionStartBlock) / rotation.groupRotationFrequency)
  return (core + rotations) % cores
}
