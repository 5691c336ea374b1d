// GRANDPA commits gossiped on `/grandpa/1` (a round's precommits, without the votes ancestries a
// justification carries): to check one, the node supplies the ancestry from the blocks it holds — the
// headers from the commit's target up to each precommit's target, on whichever fork they are — and
// then verifies it exactly as a justification. A verified commit finalizes its target like a
// justification does (and is stored as one). Pure.

import { bytesEqual, toHex } from '../codec/index.ts'
import type { Header } from '../header/index.ts'
import type { GrandpaJustification } from '../finality/index.ts'
import type { GrandpaCommit } from '../network/index.ts'

/** What the conversion needs of our chain: the blocks it holds, by hash (on any fork). */
export interface ChainLookup {
  block(hash: Uint8Array): { hash: Uint8Array; header: Header } | undefined
}

/**
 * The justification equivalent to `commit`, with the votes ancestries taken from the blocks we hold: from
 * each precommit's target down its parents to the commit's target, on whatever fork they are (a commit
 * that finalizes a fork other than our best one is how finality reorgs us). Undefined when we do not hold
 * the target or a precommit's path down to it (we cannot judge it yet), or a precommit is not on the
 * target's chain (no justification could hold it).
 */
export function justificationFromCommit(commit: GrandpaCommit, chain: ChainLookup): GrandpaJustification | undefined {
  const target = chain.block(commit.targetHash)
  if (!target || target.header.number !== commit.targetNumber) return undefined
  const ancestry = new Map<string, Header>()
  for (const p of commit.precommits) {
    if (p.targetNumber < commit.targetNumber) return undefined
    let b = chain.block(p.targetHash)
    if (!b || b.header.number !== p.targetNumber) return undefined
    // every header strictly above the target on the way down (each links a precommit to the target)
    while (b.header.number > commit.targetNumber) {
      ancestry.set(toHex(b.hash), b.header)
      b = chain.block(b.header.parentHash)
      if (!b) return undefined
    }
    if (!bytesEqual(b.hash, commit.targetHash)) return undefined
  }
  const votesAncestries = [...ancestry.values()].sort((a, b) => a.number - b.number)
  return { round: commit.round, targetHash: commit.targetHash, targetNumber: commit.targetNumber, precommits: commit.precommits, votesAncestries }
}

/**
 * Commits that arrived before the blocks they finalize (their announce still on the way, their
 * ancestry being fetched, their import running): kept, the highest `perPeer` from each of the latest
 * `peers` peers, until the blocks come, as smoldot queues them per source. Without this a node a block
 * behind its peers drops every commit, and as peers keep justifications only for set changes and every
 * 512th block, it may finalize nothing. Pure: the caller says when to look again (after new blocks).
 */
export class PendingCommits {
  private readonly held = new Map<string, GrandpaCommit[]>()
  constructor(
    private readonly perPeer = 8,
    private readonly peers = 32,
  ) {}

  get size(): number {
    let n = 0
    for (const cs of this.held.values()) n += cs.length
    return n
  }

  /** Keeps `commit` from `peer` (a commit for a block number it already holds is ignored). */
  hold(peer: string, commit: GrandpaCommit): void {
    const cs = this.held.get(peer) ?? []
    if (cs.some((c) => c.targetNumber === commit.targetNumber)) return
    this.held.delete(peer)
    this.held.set(peer, [...cs, commit].sort((a, b) => b.targetNumber - a.targetNumber).slice(0, this.perPeer))
    if (this.held.size > this.peers) this.held.delete(this.held.keys().next().value!)
  }

  /**
   * Takes out the commits that can be judged now (`ready`), highest first per peer, and drops those at
   * or below `finalized`; the rest stay. The caller applies what it takes in order, skipping any that
   * an earlier one made final.
   */
  take(finalized: number, ready: (c: GrandpaCommit) => boolean): [peer: string, commit: GrandpaCommit][] {
    const out: [string, GrandpaCommit][] = []
    for (const [peer, cs] of [...this.held]) {
      const left = cs.filter((c) => c.targetNumber > finalized)
      const now = left.filter(ready)
      for (const c of now) out.push([peer, c])
      const rest = left.filter((c) => !now.includes(c))
      if (rest.length) this.held.set(peer, rest)
      else this.held.delete(peer)
    }
    return out.sort((a, b) => b[1].targetNumber - a[1].targetNumber)
  }
}
