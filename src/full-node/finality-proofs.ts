// What the node proves about finality to its peers, over its finalized canonical chain (pure: the chain is
// read through two accessors): warp proofs (sc-consensus-grandpa's `WarpSyncProof`) and which
// justifications Substrate keeps and so serves in block responses. Both rest on the set-change blocks,
// found once per finalized block: a block above finality could still be retracted by a reorg, and a
// change remembered from it would send proofs through a block that no longer holds it.

import { MAX_WARP_PROOF_SIZE, decodeJustification, encodeWarpProof, forcesSetChange, scheduledChangeOf, type WarpSyncFragment } from '../finality/index.ts'
import { encodeHeader, type Header } from '../header/index.ts'

/** Substrate's default `justification_period`: a justification is kept for every block of this multiple. */
export const JUSTIFICATION_PERIOD = 512

/** A canonical block as far as finality proofs need it. */
export interface ProvableBlock {
  header: Header
  /** Its SCALE GRANDPA justification, when it was finalized with one. */
  justification?: Uint8Array
}

export interface FinalizedChain {
  finalizedNumber(): number
  /** The canonical block at `n` (0 ≤ n ≤ finalized). */
  canonical(n: number): ProvableBlock
}

type SetChange = 'scheduled' | 'forced' | 'malformed'

export class FinalityProofs {
  /**
   * The size a warp proof response stays under (Substrate's 8 MiB). Tests lower it to have proofs cut in
   * several responses (`isFinished: false`) without authoring tens of thousands of set changes.
   */
  limit = MAX_WARP_PROOF_SIZE
  private readonly setChanges = new Map<number, SetChange>()
  private scanned = 0

  constructor(private readonly chain: FinalizedChain) {}

  /**
   * Whether the finalized canonical block at `n` has a justification Substrate keeps, and so serves: the
   * blocks that end a GRANDPA set (their header schedules the change) and every 512th block (its
   * `justification_period`). Other blocks are final through later ones; a peer that gets a justification
   * for each block may meet one signed by a set it has not reached yet (smoldot bans the sender for it).
   * The latest finalized block's justification still ends our warp proofs, as Substrate's does.
   */
  keeps(n: number): boolean {
    if (n % JUSTIFICATION_PERIOD === 0) return true
    const change = this.changes().get(n)
    return change !== undefined && change !== 'malformed'
  }

  /**
   * Warp proof from the finalized canonical block `from` (the peer's): one fragment per authority-set
   * change after it — the block whose header carries the change, with its justification by the outgoing
   * set — then the latest finalized block with its justification. A proof that would exceed the limit
   * stops early with `isFinished: false`, and the peer asks again from its last fragment. A set-change
   * block finalized without a justification cannot be proven across: the proof stops before it
   * (unfinished). Nor can a forced change: the proof ends (finished) at the block before it.
   */
  warpProof(from: number): Uint8Array {
    const fragments: WarpSyncFragment[] = []
    let size = 0
    const push = (b: ProvableBlock): 'ok' | 'unjustified' | 'full' => {
      if (!b.justification) return 'unjustified'
      const bytes = encodeHeader(b.header).length + b.justification.length
      if (size + bytes > this.limit - 1024) return 'full'
      size += bytes
      fragments.push({ header: b.header, justification: decodeJustification(b.justification) })
      return 'ok'
    }
    // the last block a warp can reach: a forced change is in force from its import, without a justification
    // by the set it replaces, so warp proofs (Substrate's and smoldot's verifiers follow ScheduledChange
    // only) end just before it; a client syncs across it block by block
    let end = this.chain.finalizedNumber()
    for (const [n, kind] of this.changes()) {
      if (n <= from) continue
      if (n > end) break
      if (kind === 'forced') {
        end = n - 1
        break
      }
      if (push(this.chain.canonical(n)) !== 'ok') return encodeWarpProof({ fragments, isFinished: false })
    }
    const fin = this.chain.canonical(end)
    const lastNumber = fragments.length ? fragments[fragments.length - 1].header.number : from
    // a tip finalized without a justification of its own cannot be proven: the proof ends at the last change
    if (fin.header.number > lastNumber && push(fin) === 'full') return encodeWarpProof({ fragments, isFinished: false })
    return encodeWarpProof({ fragments, isFinished: true })
  }

  /**
   * Finalized canonical blocks whose header schedules or forces a GRANDPA set change, in order, by number
   * (scanned once, then as finality moves). A malformed GRANDPA log counts as a change no proof can cross.
   */
  private changes(): Map<number, SetChange> {
    const fin = this.chain.finalizedNumber()
    for (let n = this.scanned + 1; n <= fin; n++) {
      const header = this.chain.canonical(n).header
      try {
        if (scheduledChangeOf(header)) this.setChanges.set(n, forcesSetChange(header) ? 'forced' : 'scheduled')
      } catch {
        this.setChanges.set(n, 'malformed')
      }
      this.scanned = n
    }
    return this.setChanges
  }
}
