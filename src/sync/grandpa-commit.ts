// GRANDPA commits gossiped on `/grandpa/1` (a round's precommits, without the votes ancestries a
// justification carries): to check one, the node supplies the ancestry from its own chain — the
// headers from the commit's target up to each precommit's target, which must all be on our chain — and
// then verifies it exactly as a justification. A verified commit finalizes its target like a
// justification does (and is stored as one). Pure.

import { bytesEqual } from '../codec/index.ts'
import type { Header } from '../header/index.ts'
import type { GrandpaJustification } from '../finality/index.ts'
import type { GrandpaCommit } from '../network/index.ts'

/** What the conversion needs of our chain: canonical headers by number, with their hashes. */
export interface CanonicalChain {
  blockAt(number: number): { hash: Uint8Array; header: Header } | undefined
}

/**
 * The justification equivalent to `commit`, with the votes ancestries taken from our chain; undefined
 * when the target or a precommit's target is not on our canonical chain (we cannot judge it yet).
 */
export function justificationFromCommit(commit: GrandpaCommit, chain: CanonicalChain): GrandpaJustification | undefined {
  const onChain = (hash: Uint8Array, number: number) => {
    const b = chain.blockAt(number)
    return b !== undefined && bytesEqual(b.hash, hash)
  }
  if (!onChain(commit.targetHash, commit.targetNumber)) return undefined
  let highest = commit.targetNumber
  for (const p of commit.precommits) {
    if (p.targetNumber < commit.targetNumber || !onChain(p.targetHash, p.targetNumber)) return undefined
    highest = Math.max(highest, p.targetNumber)
  }
  // every header strictly above the target up to the highest precommit target (each one is needed to
  // link that precommit to the target, so none is unused)
  const votesAncestries: Header[] = []
  for (let n = commit.targetNumber + 1; n <= highest; n++) votesAncestries.push(chain.blockAt(n)!.header)
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
