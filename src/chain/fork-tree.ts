// The fork tree of non-finalized blocks above the finalized one. Each block carries the state its
// verification produced (e.g. BABE epochs and GRANDPA sets as of that block), computed from its
// parent's by a caller-supplied `verify` step. Best-block choice by (chain weight, number, then first
// seen); pruning on finality returns what was dropped. Pure, and bounded: no unknown parents are kept;
// a fork whose head falls `maxForkLag` blocks behind the best is dropped; past `maxBlocks` the forks
// off the best chain go, least useful (lightest, then shortest) first; past twice that (a finality stall
// that long) no block is taken. Blocks dropped before finality are reported with the next finality's
// pruned blocks (what chainHead's `prunedBlockHashes` needs).

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
  /** The tree is at its bound and the block does not extend the best chain (or the best chain alone fills it). */
  | { kind: 'full' }

export interface ForkTreeLimits {
  /** Non-finalized blocks before forks off the best chain are dropped (default 4,096). */
  maxBlocks?: number
  /** How far (in blocks) a fork's head may fall behind the best block before it is dropped (default 256). */
  maxForkLag?: number
  /**
   * `manual`: the best block is only what `setBest` names (a parachain's: its relay chain says which),
   * never chosen by weight; default `weight`.
   */
  bestBy?: 'weight' | 'manual'
}

export type FinalizeOutcome<S> = { kind: 'finalized'; block: TreeBlock<S>; pruned: TreeBlock<S>[]; finalizedChain: TreeBlock<S>[] } | { kind: 'unknownBlock' } | { kind: 'notDescendant' }

export class ForkTree<S, E = unknown> {
  private readonly byHash = new Map<string, TreeBlock<S>>()
  private finalizedBlock: TreeBlock<S>
  private bestBlock: TreeBlock<S>
  private seq = 0
  /** Blocks without children. */
  private readonly leaves = new Set<TreeBlock<S>>()
  /** Blocks dropped before finality, reported with the next finalization's pruned blocks. */
  private discarded: TreeBlock<S>[] = []
  private readonly maxBlocks: number
  private readonly maxForkLag: number
  private readonly manualBest: boolean

  constructor(
    finalizedHeader: Header,
    finalizedState: S,
    private readonly verify: VerifyStep<S, E>,
    limits: ForkTreeLimits = {},
  ) {
    this.maxBlocks = limits.maxBlocks ?? 4096
    this.maxForkLag = limits.maxForkLag ?? 256
    this.manualBest = limits.bestBy === 'manual'
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
    if (this.byHash.size - 1 >= 2 * this.maxBlocks) return { kind: 'full' }
    if (this.byHash.size - 1 >= this.maxBlocks && parent !== this.bestBlock) {
      // a new fork block competes with the forks held: the least useful make room (its own, maybe)
      this.trim(this.maxBlocks - 1)
      if (this.byHash.size - 1 >= this.maxBlocks || this.byHash.get(toHex(parent.hash)) !== parent) return { kind: 'full' }
    }
    const r = this.verify(parent.state, header, hash)
    if (!r.ok) return { kind: 'invalid', error: r.error }
    const block: TreeBlock<S> = { hash, header, parent, children: [], state: r.state, weight: parent.weight + r.weight, seq: this.seq++ }
    parent.children.push(block)
    this.byHash.set(toHex(hash), block)
    this.leaves.delete(parent)
    this.leaves.add(block)
    const better = !this.manualBest && (block.weight > this.bestBlock.weight || (block.weight === this.bestBlock.weight && block.header.number > this.bestBlock.header.number))
    if (better) this.bestBlock = block
    if (better || this.byHash.size - 1 > this.maxBlocks) this.trim(this.maxBlocks)
    return { kind: 'inserted', block, bestChanged: better }
  }

  /** Makes a block of the tree the best one (for `bestBy: 'manual'`); false when the tree does not hold it. */
  setBest(hash: Uint8Array): boolean {
    const b = this.byHash.get(toHex(hash))
    if (!b) return false
    this.bestBlock = b
    return true
  }

  /** Drops forks that lag too far behind the best block, then, over `target` blocks, the least useful forks. */
  private trim(target: number): void {
    const forkLeaves = [...this.leaves].filter((l) => l !== this.bestBlock)
    if (!forkLeaves.length) return
    const onBest = new Set<TreeBlock<S>>()
    for (let b: TreeBlock<S> | undefined = this.bestBlock; b; b = b.parent) onBest.add(b)
    const bestNumber = this.bestBlock.header.number
    // lightest, then shortest, then newest first
    forkLeaves.sort((a, b) => (a.weight < b.weight ? -1 : a.weight > b.weight ? 1 : a.header.number - b.header.number || b.seq - a.seq))
    for (const leaf of forkLeaves) {
      const lagging = leaf.header.number + this.maxForkLag < bestNumber
      if (!lagging && this.byHash.size - 1 <= target) continue
      this.dropBranch(leaf, onBest)
    }
  }

  /** Removes a fork's blocks from its leaf down to (not including) the best chain or a block with other children. */
  private dropBranch(leaf: TreeBlock<S>, onBest: Set<TreeBlock<S>>): void {
    let b: TreeBlock<S> | undefined = leaf
    while (b && !onBest.has(b) && b.children.length === 0 && b !== this.finalizedBlock) {
      const parent: TreeBlock<S> | undefined = b.parent
      this.byHash.delete(toHex(b.hash))
      this.leaves.delete(b)
      this.discarded.push(b)
      // (hashes of forks dropped during a very long stall are kept to a bound too: the oldest go unreported)
      if (this.discarded.length > 4 * this.maxBlocks) this.discarded.splice(0, this.maxBlocks)
      if (parent) {
        parent.children = parent.children.filter((c) => c !== b)
        if (parent.children.length === 0) this.leaves.add(parent)
      }
      b = parent
    }
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
    const pruned: TreeBlock<S>[] = this.discarded
    this.discarded = []
    const onChain = new Set(chain)
    for (const [k, b] of this.byHash) {
      if (keep.has(b) || b === this.finalizedBlock || onChain.has(b)) continue
      pruned.push(b)
      this.byHash.delete(k)
      this.leaves.delete(b)
    }
    // the old finalized block and the newly finalized chain below the target leave the tree too
    for (const b of [this.finalizedBlock, ...chain.slice(0, -1)]) {
      this.byHash.delete(toHex(b.hash))
      this.leaves.delete(b)
    }
    target.parent = undefined
    this.finalizedBlock = target
    const bestPruned = !keep.has(this.bestBlock)
    if (bestPruned) this.bestBlock = target
    // the best block must be re-chosen among survivors when it was pruned (by weight, in both modes)
    if (!this.manualBest || bestPruned) for (const b of keep) if (b.weight > this.bestBlock.weight || (b.weight === this.bestBlock.weight && b.header.number > this.bestBlock.header.number)) this.bestBlock = b
    return { kind: 'finalized', block: target, pruned, finalizedChain: chain }
  }

  /** True when `descendant` is `ancestor` or below it in the tree. */
  isAncestor(ancestor: Uint8Array, descendant: Uint8Array): boolean {
    for (let b = this.get(descendant); b; b = b.parent) if (bytesEqual(b.hash, ancestor)) return true
    return false
  }
}
