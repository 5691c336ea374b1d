// Warp-sync proofs (`/sync/warp` payload, sc-consensus-grandpa `WarpSyncProof`): fragments of
// (header, justification) and `is_finished`. Verification walks the chain of authority-set changes
// from a trusted starting set: each fragment's justification must finalize its header under the
// current set, and each header but possibly the last must schedule the next set. Pure, with limits.

import { DecodeError, Reader, Writer, bytesEqual } from '../codec/index.ts'
import { GRANDPA_ENGINE, consensusLogs, decodeGrandpaConsensusLog, headerHash, readHeader, writeHeader, type Header } from '../header/index.ts'
import { GrandpaError, readJustification, verifyJustification, writeJustification, type AuthoritySet, type GrandpaJustification } from './justification.ts'

export interface WarpSyncFragment {
  header: Header
  justification: GrandpaJustification
}
export interface WarpSyncProof {
  fragments: WarpSyncFragment[]
  isFinished: boolean
}

/** Substrate caps a warp proof response at 8 MiB; we accept the same. */
export const MAX_WARP_PROOF_SIZE = 8 * 1024 * 1024
export const MAX_WARP_FRAGMENTS = 50_000

export function decodeWarpProof(bytes: Uint8Array): WarpSyncProof {
  if (bytes.length > MAX_WARP_PROOF_SIZE) throw new GrandpaError('TooLarge', `warp proof of ${bytes.length} bytes`)
  const r = new Reader(bytes)
  const n = r.vecLength(100)
  if (n > MAX_WARP_FRAGMENTS) throw new GrandpaError('TooLarge', `${n} warp fragments`)
  const fragments: WarpSyncFragment[] = []
  for (let i = 0; i < n; i++) fragments.push({ header: readHeader(r), justification: readJustification(r) })
  const isFinished = r.bool()
  r.finish()
  return { fragments, isFinished }
}

export function encodeWarpProof(p: WarpSyncProof): Uint8Array {
  const w = new Writer(4096)
  w.vec(p.fragments, (x, f) => {
    writeHeader(x, f.header)
    writeJustification(x, f.justification)
  })
  w.bool(p.isFinished)
  return w.finish()
}

/** The authority-set change a header enacts for warp sync: a ScheduledChange (or ForcedChange). */
export function scheduledChangeOf(header: Header): AuthoritySet['authorities'] | undefined {
  return setChangeOf(header)?.authorities
}

/** Whether the header forces a GRANDPA set change (ForcedChange: in force on import, without finality). */
export function forcesSetChange(header: Header): boolean {
  return setChangeOf(header)?.forced ?? false
}

function setChangeOf(header: Header): { authorities: AuthoritySet['authorities']; forced: boolean } | undefined {
  let next: { authorities: AuthoritySet['authorities']; forced: boolean } | undefined
  for (const payload of consensusLogs(header, GRANDPA_ENGINE)) {
    let log
    try {
      log = decodeGrandpaConsensusLog(payload)
    } catch (e) {
      if (e instanceof DecodeError) throw new GrandpaError('BadSetChange', `malformed GRANDPA log in #${header.number}: ${e.message}`)
      throw e
    }
    if (log.kind === 'scheduledChange' || log.kind === 'forcedChange') {
      if (next) throw new GrandpaError('BadSetChange', `#${header.number} schedules more than one set change`)
      next = { authorities: log.change.nextAuthorities, forced: log.kind === 'forcedChange' }
    }
  }
  return next
}

export interface WarpVerified {
  /** The last header the proof finalizes. */
  finalized: Header
  finalizedHash: Uint8Array
  /** The authority set in force after it. */
  set: AuthoritySet
}

/**
 * Verifies one fragment under `set`, after `previous` (the fragment before it, if any): its justification
 * must finalize its header, and its header must enact the next set unless `mayKeepSet` (the last fragment
 * of a finished proof: Substrate cuts unfinished proofs at a set change). Returns the block and the set
 * after it; throws GrandpaError.
 */
export function verifyWarpFragment(f: WarpSyncFragment, set: AuthoritySet, previous: Header | undefined, mayKeepSet: boolean, index = 0): WarpVerified {
  const hash = headerHash(f.header)
  if (!bytesEqual(hash, f.justification.targetHash)) throw new GrandpaError('TargetMismatch', `fragment ${index}: the justification is not for its header #${f.header.number}`)
  if (previous && f.header.number <= previous.number) throw new GrandpaError('BadSetChange', `fragment ${index} does not advance past #${previous.number}`)
  verifyJustification(f.justification, set, { hash, number: f.header.number })
  const next = scheduledChangeOf(f.header)
  if (next) return { finalized: f.header, finalizedHash: hash, set: { setId: set.setId + 1n, authorities: next } }
  if (!mayKeepSet) throw new GrandpaError('MissingSetChange', `fragment ${index} (#${f.header.number}) does not change the authority set`)
  return { finalized: f.header, finalizedHash: hash, set }
}

/** Verifies a whole warp proof from `start` in one call; an empty proof finalizes nothing (returns undefined). */
export function verifyWarpProof(proof: WarpSyncProof, start: AuthoritySet): WarpVerified | undefined {
  let last: WarpVerified | undefined
  const n = proof.fragments.length
  proof.fragments.forEach((f, i) => {
    last = verifyWarpFragment(f, last?.set ?? start, last?.finalized, i === n - 1 && proof.isFinished, i)
  })
  return last
}
