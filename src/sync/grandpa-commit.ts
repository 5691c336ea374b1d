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
