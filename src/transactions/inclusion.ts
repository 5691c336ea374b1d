// Where watched transactions stand in a view of the chain that forks (pure: block bodies, best chains
// and finality in; events out). A transaction may sit in blocks of several forks at once; what a
// watcher is told follows the best chain only — `bestChainBlockIncluded` with the block of the best
// chain that holds it (or null once no best-chain block does: a reorg retracted it), and `finalized`
// only when a block holding it is finalized. Inclusions in forks that finality prunes are forgotten, and
// a view that jumps (a warp) forgets them all. The light client's transactions service feeds it.

/** A block, as the hex of its hash, and the transaction's index in its body. */
export interface Inclusion {
  hash: string
  index: number
}

export type InclusionEvent = { id: number; kind: 'bestChainBlockIncluded'; block: Inclusion | null } | { id: number; kind: 'finalized'; block: Inclusion }

interface Tracked {
  /** Every block (hex) known to hold it, with its index there. */
  in: Map<string, number>
  /** What its watcher was last told (null: not in the best chain). */
  reported: Inclusion | null
}

export class InclusionTracker {
  private readonly txs = new Map<number, Tracked>()
  /** The best chain as last given (for inclusions learnt after it). */
  private bestChain = new Set<string>()

  watch(id: number): void {
    this.txs.set(id, { in: new Map(), reported: null })
  }
  forget(id: number): void {
    this.txs.delete(id)
  }
  /** Whether a block of the best chain holds it now. */
  isIncluded(id: number): boolean {
    return !!this.txs.get(id)?.reported
  }

  /** A block's body was searched: `found` says where each watched transaction is in it. */
  blockBody(hash: string, found: [id: number, index: number][]): InclusionEvent[] {
    for (const [id, index] of found) this.txs.get(id)?.in.set(hash, index)
    return found.length && this.bestChain.has(hash) ? this.report() : []
  }

  /** The best chain now: the hashes from the best block down to the finalized one. */
  best(chain: Iterable<string>): InclusionEvent[] {
    this.bestChain = new Set(chain)
    return this.report()
  }

  /** Blocks finalized (oldest first) and pruned: a transaction in a finalized block is done. */
  finalized(hashes: string[], pruned: string[]): InclusionEvent[] {
    const events: InclusionEvent[] = []
    for (const [id, t] of this.txs) {
      for (const p of pruned) t.in.delete(p)
      const at = hashes.find((h) => t.in.has(h))
      if (at === undefined) continue
      const block = { hash: at, index: t.in.get(at)! }
      // told of its finalized block as in the best chain first, when it was not
      if (t.reported?.hash !== at) events.push({ id, kind: 'bestChainBlockIncluded', block })
      events.push({ id, kind: 'finalized', block })
      this.txs.delete(id)
    }
    return events
  }

  /** The view jumped: every inclusion is forgotten (reported ones are retracted). */
  reset(): InclusionEvent[] {
    const events: InclusionEvent[] = []
    this.bestChain = new Set()
    for (const [id, t] of this.txs) {
      t.in.clear()
      if (t.reported) events.push({ id, kind: 'bestChainBlockIncluded', block: null })
      t.reported = null
    }
    return events
  }

  private report(): InclusionEvent[] {
    const events: InclusionEvent[] = []
    for (const [id, t] of this.txs) {
      let now: Inclusion | null = null
      for (const [hash, index] of t.in) {
        if (!this.bestChain.has(hash)) continue
        now = { hash, index }
        break
      }
      if (now?.hash === t.reported?.hash) continue
      if (!now && !t.reported) continue
      t.reported = now
      events.push({ id, kind: 'bestChainBlockIncluded', block: now })
    }
    return events
  }
}
