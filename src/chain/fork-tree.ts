// The fork tree of non-finalized blocks above the finalized one. Each block carries the state its
// verification produced (e.g. BABE epochs and GRANDPA sets as of that block), computed from its
// parent's by a caller-supplied `verify` step. Best-block choice by (chain weight, number, then first
// seen); pruning on finality returns what was dropped. Bounded: no unknown parents are kept. Pure.

import { bytesEqual, toHex } from '../codec/index.ts'
import { headerHash, type Header } from '../header/index.ts'

export interface TreeBlock<S> {
  hash: Uint8Array
  header: Header
  parent: TreeBlock<S> | undefined
  children: TreeBlock<S>[]
  /** Consensus state as of this block. */
  state: S
  /** Cumulative fork-choice weight (e.g. number of primary BABE blocks); ties go to the higher number. */
  weight: bigint
  /** Insertion order, for stable tie-breaking. */
  seq: number
}

/** The verification step: the child's state and added weight, or an error (the block is rejected). */
export type VerifyStep<S, E> = (parentState: S, header: Header, hash: Uint8Array) => { ok: true; state: S; weight: bigint } | { ok: false; error: E }

export type InsertOutcome<S, E> =
  | { kind: 'inserted'; block: TreeBlock<S>; bestChanged: boolean }
  | { kind: 'alreadyKnown'; block: TreeBlock<S> }
  | { kind: 'unknownParent'; parentHash: Uint8Array }
  | { kind: 'belowFinalized' }
  | { kind: 'badNumber'; expected: number }
  | { kind: 'invalid'; error: E }

export type FinalizeOutcome<S> = { kind: 'finalized'; block: TreeBlock<S>; pruned: TreeBlock<S>[]; finalizedChain: TreeBlock<S>[] } | { kind: 'unknownBlock' } | { kind: 'notDescendant' }

export class ForkTree<S, E = unknown> {
  private readonly byHash = new Map<string, TreeBlock<S>>()
  private finalizedBlock: TreeBlock<S>
  private bestBlock: TreeBlock<S>
  private seq = 0

  constructor(finalizedHeader: Header, finalizedState: S, private readonly verify: VerifyStep<S, E>) {
    const hash = headerHash(finalizedHeader)
    this.finalizedBlock = { hash, header: finalizedHeader, parent: undefined, children: [], state: finalizedState, weight: 0n, seq: this.seq++ }
    this.byHash.set(toHex(hash), this.finalizedBlock)
    this.bestBlock = this.finalizedBlock
  }

  get finalized(): TreeBlock<S> {
    return this.finalizedBlock
  }
  get best(): TreeBlock<S> {
    return this.bestBlock
  }
  get size(): number {
    return this.byHash.size
  }
  get(hash: Uint8Array): TreeBlock<S> | undefined {
    return this.byHash.get(toHex(hash))
  }

  /** Verifies and inserts a header; never throws for bad data (outcomes say what happened). */
  insert(header: Header): InsertOutcome<S, E> {
    const hash = headerHash(header)
    const known = this.byHash.get(toHex(hash))
    if (known) return { kind: 'alreadyKnown', block: known }
    if (header.number <= this.finalizedBlock.header.number) return { kind: 'belowFinalized' }
    const parent = this.byHash.get(toHex(header.parentHash))
    if (!parent) return { kind: 'unknownParent', parentHash: header.parentHash }
    if (header.number !== parent.header.number + 1) return { kind: 'badNumber', expected: parent.header.number + 1 }
    const r = this.verify(parent.state, header, hash)
    if (!r.ok) return { kind: 'invalid', error: r.error }
    const block: TreeBlock<S> = { hash, header, parent, children: [], state: r.state, weight: parent.weight + r.weight, seq: this.seq++ }
    parent.children.push(block)
    this.byHash.set(toHex(hash), block)
    const better = block.weight > this.bestBlock.weight || (block.weight === this.bestBlock.weight && block.header.number > this.bestBlock.header.number)
    if (better) this.bestBlock = block
    return { kind: 'inserted', block, bestChanged: better }
  }

  /** Finalizes `hash` (a descendant of the current finalized block): prunes every other branch. */
  finalize(hash: Uint8Array): FinalizeOutcome<S> {
    const target = this.byHash.get(toHex(hash))
    if (!target) return { kind: 'unknownBlock' }
    const chain: TreeBlock<S>[] = []
    for (let b: TreeBlock<S> | undefined = target; b && b !== this.finalizedBlock; b = b.parent) chain.unshift(b)
    if (target !== this.finalizedBlock && chain[0]?.parent !== this.finalizedBlock) return { kind: 'notDescendant' }
    const keep = new Set<TreeBlock<S>>()
    const stack = [target]
    while (stack.length) {
      const b = stack.pop()!
      keep.add(b)
      stack.push(...b.children)
    }
    const pruned: TreeBlock<S>[] = []
    for (const [k, b] of this.byHash) {
      if (keep.has(b) || b === this.finalizedBlock || chain.includes(b)) continue
      pruned.push(b)
      this.byHash.delete(k)
    }
    // the old finalized block and the newly finalized chain below the target leave the tree too
    for (const b of [this.finalizedBlock, ...chain.slice(0, -1)]) this.byHash.delete(toHex(b.hash))
    target.parent = undefined
    this.finalizedBlock = target
    if (!keep.has(this.bestBlock)) this.bestBlock = target
    // the best block must be re-chosen among survivors when it was pruned
    for (const b of keep) if (b.weight > this.bestBlock.weight || (b.weight === this.bestBlock.weight && b.header.number > this.bestBlock.header.number)) this.bestBlock = b
    return { kind: 'finalized', block: target, pruned, finalizedChain: chain }
  }

  /** True when `descendant` is `ancestor` or below it in the tree. */
  isAncestor(ancestor: Uint8Array, descendant: Uint8Array): boolean {
    for (let b = this.get(descendant); b; b = b.parent) if (bytesEqual(b.hash, ancestor)) return true
    return false
  }
}
