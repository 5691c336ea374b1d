// A walk over the keys under a prefix, driven by read proofs that arrive one at a time (pure: proofs
// in, entries and the keys to ask for next out). It is how a light client lists a storage map it holds
// no state for: ask for the prefix, then for the paths to whatever the nodes so far do not reach, and so
// on. Three things keep it cheap on large maps and against padded proofs:
// - only nodes reached from the root on the way to keys still to come are kept (padding, nodes outside
//   the prefix and subtrees already listed are dropped after each proof);
// - entries come out in key order as soon as nothing before them is missing, so a caller that wants one
//   page stops after one page;
// - a walk may start after a key (`state_getKeysPaged`'s `startKey`): subtrees wholly at or before it
//   are never asked for.

import { compareBytes } from '../codec/index.ts'
import { hashKey } from './nibbles.ts'
import { NodeMap } from './proof.ts'
import { lookupPrefix } from './lookup.ts'

/** Missing subtrees asked for in one read proof request. */
export const KEYS_PER_PROOF = 64

export interface WalkStep {
  /** Entries proven by now, in key order, after everything returned before. */
  entries: [Uint8Array, Uint8Array][]
  /** False when the proof brought nothing the walk needed (the peer cannot, or will not, prove more). */
  progressed: boolean
}

export class DescendantsWalk {
  private readonly nodes = new NodeMap()
  private after: Uint8Array | undefined
  private wanted_: Uint8Array[]
  private done_ = false

  /** Walks the trie with root `root` under `prefix`, keys strictly after `startAfter` when given. */
  constructor(
    private readonly root: Uint8Array,
    private readonly prefix: Uint8Array,
    startAfter?: Uint8Array,
  ) {
    // a start before the prefix is no start at all (Substrate iterates from the larger of the two)
    this.after = startAfter && compareBytes(startAfter, prefix) >= 0 ? startAfter : undefined
    this.wanted_ = [this.after ?? prefix]
  }

  /** True once every entry has been returned. */
  get done(): boolean {
    return this.done_
  }
  /** The keys whose read proof the walk needs next (at most KEYS_PER_PROOF; none when done). */
  get wanted(): Uint8Array[] {
    return this.wanted_
  }
  /** Nodes held now, and their bytes (bounded by what the keys still to come need). */
  get held(): { nodes: number; bytes: number } {
    return { nodes: this.nodes.size, bytes: this.nodes.bytes }
  }

  /**
   * Adds the nodes of a read proof (of `wanted`, from any peer: nothing is trusted unless reached by hash
   * from the root) and returns the entries now proven. Throws TrieError/DecodeError for a malformed node
   * reached from the root.
   */
  add(proofNodes: Iterable<Uint8Array>): WalkStep {
    if (this.done_) return { entries: [], progressed: false }
    this.nodes.add(proofNodes)
    const keep = new Set<string>()
    const scan = lookupPrefix(this.nodes, this.root, this.prefix, { startAfter: this.after, maxMissing: KEYS_PER_PROOF, reached: (h) => keep.add(hashKey(h)) })
    // once complete, nothing more is needed
    this.nodes.retain(scan.complete ? new Set() : keep)
    const entries = scan.entries.slice(0, scan.provenBefore) as [Uint8Array, Uint8Array][]
    if (entries.length) this.after = entries[entries.length - 1][0]
    const before = this.wanted_
    this.done_ = scan.complete
    this.wanted_ = scan.complete ? [] : scan.missing
    const same = before.length === this.wanted_.length && before.every((k, i) => compareBytes(k, this.wanted_[i]) === 0)
    return { entries, progressed: entries.length > 0 || scan.complete || !same }
  }
}
