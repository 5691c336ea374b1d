// GRANDPA authority-set tracking from header digests (what a light client follows between warp
// proofs): ScheduledChange takes effect when the block `delay` after it is finalized; ForcedChange
// when the block `delay` after it is imported; OnDisabled, Pause and Resume are recorded. Several
// standard changes may be pending along a chain (blocks imported faster than they are finalized, as
// Substrate allows); they are enacted in order, and no justification may skip one (`justifyingSet`).
// Pure: headers in, new state out (`applyHeader` returns a new object, the input is never mutated).

import { DecodeError } from '../codec/index.ts'
import { GRANDPA_ENGINE, consensusLogs, decodeGrandpaConsensusLog, type Authority, type Header } from '../header/index.ts'
import { GrandpaError } from './justification.ts'

export interface PendingChange {
  /** Block number from which the new set is in force. */
  effectiveAt: number
  authorities: Authority[]
  forced: boolean
}

export interface GrandpaState {
  setId: bigint
  authorities: Authority[]
  pending: PendingChange[]
  disabled: bigint[]
  /** Paused from this block number on (until resumed). */
  pausedAt: number | undefined
}

export function initialGrandpaState(setId: bigint, authorities: Authority[]): GrandpaState {
  return { setId, authorities, pending: [], disabled: [], pausedAt: undefined }
}

/** Applies the GRANDPA digests of an imported header (on the chain being followed). */
export function applyHeader(state: GrandpaState, header: Header): GrandpaState {
  const s: GrandpaState = { ...state, pending: [...state.pending], disabled: [...state.disabled] }
  for (const payload of consensusLogs(header, GRANDPA_ENGINE)) {
    let log
    try {
      log = decodeGrandpaConsensusLog(payload)
    } catch (e) {
      if (e instanceof DecodeError) throw new GrandpaError('BadSetChange', `malformed GRANDPA log in #${header.number}: ${e.message}`)
      throw e
    }
    switch (log.kind) {
      case 'scheduledChange':
        s.pending.push({ effectiveAt: header.number + log.change.delay, authorities: log.change.nextAuthorities, forced: false })
        break
      case 'forcedChange':
        s.pending.push({ effectiveAt: header.number + log.change.delay, authorities: log.change.nextAuthorities, forced: true })
        break
      case 'onDisabled':
        s.disabled.push(log.authorityIndex)
        break
      case 'pause':
        s.pausedAt = header.number + log.delay
        break
      case 'resume':
        s.pausedAt = undefined
        break
    }
  }
  // forced changes apply on import
  return enact(s, header.number, true)
}

/**
 * The set whose justification may finalize block `number`, given the tracker state after that block:
 * the set in force, unless a standard change takes effect below `number` — the block ending the old set
 * must be finalized first, by the old set (TooFarAhead, as in Substrate and smoldot).
 */
export function justifyingSet(state: GrandpaState, number: number): { setId: bigint; authorities: Authority[] } {
  const skipped = state.pending.find((p) => !p.forced && p.effectiveAt < number)
  if (skipped) throw new GrandpaError('TooFarAhead', `#${skipped.effectiveAt} ends the set in force and must be finalized before #${number}`)
  return { setId: state.setId, authorities: state.authorities }
}

/** Applies finality of block `number`: standard changes whose effective block is now final are enacted. */
export function applyFinalized(state: GrandpaState, number: number): GrandpaState {
  return enact({ ...state, pending: [...state.pending] }, number, false)
}

function enact(s: GrandpaState, number: number, forcedOnly: boolean): GrandpaState {
  const due = s.pending.filter((p) => p.effectiveAt <= number && (p.forced || !forcedOnly))
  if (due.length === 0) return s
  const last = due.reduce((a, b) => (b.effectiveAt > a.effectiveAt ? b : a))
  return { ...s, setId: s.setId + BigInt(due.length), authorities: last.authorities, pending: s.pending.filter((p) => !due.includes(p)), disabled: [] }
}
