// BABE epoch tracking along a chain: the epoch in force and the announced next one. The first block of
// an epoch carries NextEpochData (authorities and randomness of the epoch after it) and possibly
// NextConfigData; OnDisabled is recorded. `babeStep` verifies a header against the right epoch and
// returns the child's state — the `VerifyStep` a ForkTree runs per block — with Substrate's and smoldot's
// chain rules: a slot after its parent's (`SlotNumberNotIncreasing`), NextEpochData in the first block of
// each epoch (block #1 included) and in no other (`MissingEpochChangeLog`, `UnexpectedEpochChangeLog`).
// Without them, one validator winning one primary slot could build a fork of many blocks on it, or hand
// the next epoch to keys of its choosing in any block. Pure.

import { DecodeError } from '../codec/index.ts'
import { BABE_ENGINE, consensusLogs, decodeBabeConsensusLog, type Header } from '../header/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'
import { BabeVerifyError, babePreDigest, verifyBabeHeader, type BabeVerified } from './babe.ts'

export interface BabeChainState {
  /** The epoch the last block belongs to. */
  current: BabeEpoch
  /** The epoch after it, once announced. */
  next: BabeEpoch | undefined
  /** Authority indices disabled during the current epoch. */
  disabled: number[]
}

/** The epoch a slot must be verified against, given the parent's state. */
export function epochFor(state: BabeChainState, slot: bigint): BabeEpoch {
  return state.next && slot >= state.next.startSlot ? state.next : state.current
}

/** A header's BABE consensus logs, decoded: the epoch and configuration it announces, the authorities it disables. */
interface BabeLogs {
  nextEpoch: { authorities: BabeEpoch['authorities']; randomness: Uint8Array } | undefined
  nextConfig: BabeEpoch['config'] | undefined
  disabled: number[]
}

function babeLogs(header: Header): BabeLogs {
  const logs: BabeLogs = { nextEpoch: undefined, nextConfig: undefined, disabled: [] }
  for (const payload of consensusLogs(header, BABE_ENGINE)) {
    let log
    try {
      log = decodeBabeConsensusLog(payload)
    } catch (e) {
      if (e instanceof DecodeError) throw new BabeVerifyError('BadPreDigest', `malformed BABE consensus log in #${header.number}: ${e.message}`)
      throw e
    }
    if (log.kind === 'nextEpochData') logs.nextEpoch = { authorities: log.authorities, randomness: log.randomness }
    else if (log.kind === 'nextConfigData') logs.nextConfig = log.config
    else logs.disabled.push(log.authorityIndex)
  }
  return logs
}

/** Applies a verified header's BABE digests; `slot` is its slot. */
export function applyBabeDigests(state: BabeChainState, header: Header, slot: bigint): BabeChainState {
  return applyLogs(state, babeLogs(header), slot)
}

function applyLogs(state: BabeChainState, logs: BabeLogs, slot: bigint): BabeChainState {
  let s: BabeChainState = state
  if (s.next && slot >= s.next.startSlot) s = { current: s.next, next: undefined, disabled: [] }
  const { nextEpoch, nextConfig } = logs
  const disabled = [...s.disabled, ...logs.disabled]
  if (!nextEpoch) return { ...s, disabled }
  const cur = s.current
  // The epoch being announced starts after the current one; when epochs were skipped, the current
  // epoch's index is the slot's (see verifyBabeHeader).
  const currentIndex = cur.epochIndex + (slot - cur.startSlot) / cur.duration
  const currentStart = cur.startSlot + (currentIndex - cur.epochIndex) * cur.duration
  const next: BabeEpoch = {
    epochIndex: currentIndex + 1n,
    startSlot: currentStart + cur.duration,
    duration: cur.duration,
    authorities: nextEpoch.authorities,
    randomness: nextEpoch.randomness,
    config: nextConfig ?? cur.config,
  }
  return { current: s.current, next, disabled }
}

/** The index of the epoch `slot` falls in, counted from the state's current epoch (skipped epochs included). */
function epochIndexOf(state: BabeChainState, slot: bigint): bigint {
  const cur = state.current
  return slot < cur.startSlot ? cur.epochIndex : cur.epochIndex + (slot - cur.startSlot) / cur.duration
}

/**
 * Verifies `header` (child of a block with state `parent`, in slot `parentSlot`; undefined when the parent
 * is genesis) and derives its state and fork-choice weight. Throws BabeVerifyError.
 */
export function babeStep(parent: BabeChainState, header: Header, parentSlot: bigint | undefined, currentSlot?: bigint): { state: BabeChainState; verified: BabeVerified; weight: bigint } {
  const slot = babePreDigest(header).slot
  if (parentSlot !== undefined && slot <= parentSlot) throw new BabeVerifyError('SlotNumberNotIncreasing', `block #${header.number} is in slot ${slot}, not after its parent's ${parentSlot}`)
  const verified = verifyBabeHeader(header, epochFor(parent, slot), currentSlot)
  // the first block after genesis, or the first in a later epoch than its parent's, starts an epoch
  const startsEpoch = parentSlot === undefined || epochIndexOf(parent, slot) > epochIndexOf(parent, parentSlot)
  const logs = babeLogs(header)
  if (startsEpoch && !logs.nextEpoch) throw new BabeVerifyError('MissingEpochChangeLog', `block #${header.number} starts epoch ${epochIndexOf(parent, slot)} without NextEpochData`)
  if (!startsEpoch && (logs.nextEpoch || logs.nextConfig)) throw new BabeVerifyError('UnexpectedEpochChangeLog', `${logs.nextEpoch ? 'NextEpochData' : 'NextConfigData'} in block #${header.number}, which does not start an epoch`)
  return { state: applyLogs(parent, logs, slot), verified, weight: verified.primary ? 1n : 0n }
}
