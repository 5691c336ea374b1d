// A parachain's view of itself, driven by its relay chain (pure: para heads in, events and the ancestry
// it lacks out). A parachain has no finality and no fork choice of its own: its finalized block is the
// para head (`Paras::Heads(id)`) in the relay chain's finalized block, and its best block the para head
// in the relay chain's best block — so a relay reorg to a fork with a lower or sibling para head moves
// the parachain's best there too, never leaving it on a head no relay best block vouches for. A vouched
// head whose parent the view does not hold is reported `unlinked`: the caller fetches the blocks between
// from parachain peers (`linked`), or restarts the view at a finalized one it cannot link. Until a best
// head is linked the view keeps its current best only if it may still lie below that head (a lower
// number), else falls back to the finalized head (an ancestor of every head the relay's best vouches
// for): smoldot's rule for heads the parachain's peers do not know yet. smoldot's equivalent is
// `sync_service/parachain.rs`.

import { bytesEqual } from '../codec/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import type { LightSync, LightSyncEvent } from './light-sync.ts'

export interface ParaViewStep {
  events: LightSyncEvent[]
  /** Vouched heads whose parent the view does not hold: fetch their ancestry, then call `linked`. */
  unlinked: { head: Header; finalized: boolean }[]
}

export class ParachainView {
  private last: { finalized: Header; best: Header | undefined } | undefined

  /** Over a `LightSync` in parachain (`relay`) mode: its tree holds the blocks, this decides best and finalized. */
  constructor(readonly sync: LightSync) {}

  /**
   * The para heads in the relay chain's finalized and best blocks (`best` undefined: the parachain is not
   * registered there). Inserts them when their parents are held, finalizes the finalized one, and makes
   * the best one the best block.
   */
  relay(finalized: Header, best: Header | undefined): ParaViewStep {
    this.last = { finalized, best }
    const events: LightSyncEvent[] = []
    const unlinked: ParaViewStep['unlinked'] = []
    let finHash: Uint8Array | undefined
    if (finalized.number >= this.sync.finalized.header.number) {
      const hash = headerHash(finalized)
      if (this.place(finalized, hash, events)) finHash = hash
      else unlinked.push({ head: finalized, finalized: true })
    }
    // the best block first (a descendant of the new finalized head: finality then prunes nothing it needs)
    const floor = finalized.number
    const b = best && best.number >= floor ? best : undefined
    let target = finHash ?? this.sync.finalized.hash
    if (b) {
      const hash = headerHash(b)
      if (this.place(b, hash, events)) target = hash
      else {
        unlinked.push({ head: b, finalized: false })
        // not linked yet: the current best may still be below it; a head at or under it is no ancestor
        if (this.sync.best.header.number < b.number && this.sync.best.header.number >= floor) target = this.sync.best.hash
      }
    }
    events.push(...this.sync.setBestVouched(target))
    if (finHash && !bytesEqual(finHash, this.sync.finalized.hash)) events.push(...this.sync.finalizeVouched(finHash))
    return { events, unlinked }
  }

  /**
   * The blocks between an unlinked head and the view, from a parachain peer: `chain` from the head's
   * parent downwards, each the parent the one above it names, down to (not including) a block the view
   * holds. Returns the events of inserting them and of the relay's heads applied again; undefined (and
   * nothing changed) when they do not link.
   */
  linked(head: Header, chain: Header[]): ParaViewStep | undefined {
    const path: Header[] = []
    let expected = head.parentHash
    for (const h of chain) {
      if (this.sync.block(expected)) break
      if (!bytesEqual(headerHash(h), expected)) return undefined
      path.push(h)
      expected = h.parentHash
    }
    if (!this.sync.block(expected)) return undefined
    const events: LightSyncEvent[] = []
    for (const h of [...path.reverse(), head]) this.place(h, headerHash(h), events)
    if (!this.last) return { events, unlinked: [] }
    const again = this.relay(this.last.finalized, this.last.best)
    return { events: [...events, ...again.events], unlinked: again.unlinked }
  }

  /** The view restarted at a finalized head it could not link (the caller restarted the `LightSync`): the relay's heads again. */
  restarted(): ParaViewStep {
    return this.last ? this.relay(this.last.finalized, this.last.best) : { events: [], unlinked: [] }
  }

  /** Inserts a head whose parent is held; true when the view holds it. */
  private place(head: Header, hash: Uint8Array, events: LightSyncEvent[]): boolean {
    if (this.sync.block(hash)) return true
    if (head.number <= this.sync.finalized.header.number) return false
    const r = this.sync.insertHeader(head, 0)
    if (r.kind !== 'inserted') return false
    events.push(...r.events)
    return true
  }
}
