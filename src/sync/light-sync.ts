// The light client's view of one Aura or BABE chain with GRANDPA finality, or of a parachain whose
// headers its relay chain vouches for (`RelayVouched`) (pure: headers, proofs and the
// time go in, typed events come out; no sockets, timers or clock). It starts from a trusted finalized
// block (genesis from the chain spec, a lightSyncState checkpoint, a saved database, or a block reached
// by warp sync), verifies every header before it enters the fork tree — Aura: the slot author's seal,
// slots increasing and not in the future; BABE: the primary/secondary claim (VRF, threshold, secondary
// author) and seal against the epoch its slot falls in, epochs followed from NextEpochData /
// NextConfigData, fork choice by primary blocks — tracks the GRANDPA set in force at every block from
// header digests, and finalizes from justifications and commits verified against that set. Smoldot's
// equivalent is `lib/src/sync/all_forks.rs` with `lib/src/chain/`.

import { bytesEqual, toHex } from '../codec/index.ts'
import { AURA_ENGINE, consensusLogs, decodeAuraConsensusLog, type Header } from '../header/index.ts'
import { AuraVerifyError, BabeVerifyError, auraSlot, babePreDigest, babeStep, verifyAuraHeader, type BabeChainState } from '../verify/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'
import { ForkTree, type TreeBlock } from '../chain/index.ts'
import {
  applyFinalized,
  justifyingSet,
  applyHeader,
  initialGrandpaState,
  verifyJustification,
  type AuthoritySet,
  type GrandpaJustification,
  type GrandpaState,
} from '../finality/index.ts'

/** What Aura verification needs, read from the finalized block's runtime by the caller. */
export interface AuraConsensus {
  kind: 'aura'
  authorities: Uint8Array[]
  slotMs: bigint
  scheme: 'sr25519' | 'ed25519'
}

/**
 * BABE at the starting block: the epochs in force (from a checkpoint, a database, or the runtime after a
 * warp), or at genesis the genesis epoch without its start slot — epoch 0 starts at block #1's slot.
 */
export type BabeStart = BabeChainState | { genesis: Omit<BabeEpoch, 'startSlot'> }

export interface BabeConsensus {
  kind: 'babe'
  slotMs: bigint
  epochs: BabeStart
}

/**
 * A parachain: its blocks carry no finality of their own and their authors are checked by the relay
 * chain's validators, so a header is trusted when the relay chain vouches for it (its para head, proven
 * from relay storage) or when it is the parent of a trusted header. The service inserts only such
 * headers; `finalizeVouched` / `restartAt` follow the relay's finalized para head.
 */
export interface RelayVouched {
  kind: 'relay'
}

export type Consensus = AuraConsensus | BabeConsensus | RelayVouched

/** Consensus state as of a block: the GRANDPA tracker and the Aura authorities or BABE epochs for its children. */
interface BlockState {
  grandpa: GrandpaState
  aura: Uint8Array[]
  babe: BabeStart | undefined
}

export type LightSyncEvent =
  | { kind: 'newBlock'; hash: Uint8Array; header: Header }
  | { kind: 'bestChanged'; hash: Uint8Array }
  /** `hashes`: the newly finalized blocks, oldest first (the last is the new finalized block). */
  | { kind: 'finalized'; hashes: Uint8Array[]; pruned: Uint8Array[] }
  /** The view jumped (a warp while following): everything reported before is gone; start again from `finalized`. */
  | { kind: 'reset' }

export type HeaderOutcome =
  | { kind: 'inserted'; events: LightSyncEvent[] }
  | { kind: 'known' }
  | { kind: 'unknownParent'; parentHash: Uint8Array }
  | { kind: 'belowFinalized' }
  /** A header that fails verification: its sender is to be banned. */
  | { kind: 'invalid'; reason: string }
  /** Not taken: the fork tree is at its bound and the block does not extend the best chain (no fault of its sender). */
  | { kind: 'full' }

export class LightSyncError extends Error {
  override readonly name = 'LightSyncError'
}

export class LightSync {
  private tree: ForkTree<BlockState, string>
  private now = 0

  /**
   * Starts at a trusted finalized block: `grandpa` is the GRANDPA state after it (the set in force and
   * changes still pending), `aura` the parameters its children are verified with.
   */
  constructor(
    finalized: Header,
    grandpa: GrandpaState,
    private consensus: Consensus,
  ) {
    this.tree = this.newTree(finalized, grandpa)
  }

  private newTree(finalized: Header, grandpa: GrandpaState): ForkTree<BlockState, string> {
    const c = this.consensus
    // a parachain's best block is the one its relay chain's best block vouches for (`setBest`), not the longest
    return new ForkTree<BlockState, string>(finalized, { grandpa, aura: c.kind === 'aura' ? c.authorities : [], babe: c.kind === 'babe' ? c.epochs : undefined }, (parent, header) => this.verify(parent, header), { bestBy: c.kind === 'relay' ? 'manual' : 'weight' })
  }

  private verify(parent: BlockState, header: Header): { ok: true; state: BlockState; weight: bigint } | { ok: false; error: string } {
    if (this.consensus.kind === 'babe') return this.verifyBabe(parent, header, this.consensus.slotMs)
    // vouched for by the relay chain (see RelayVouched): the longest chain wins until the relay says otherwise
    if (this.consensus.kind === 'relay') return { ok: true, state: parent, weight: 1n }
    const aura = this.consensus
    const parentBlock = this.tree.get(header.parentHash)
    try {
      verifyAuraHeader(header, {
        authorities: parent.aura,
        scheme: aura.scheme,
        currentSlot: BigInt(Math.floor(this.now)) / aura.slotMs,
        allowedDrift: 1n,
        parentSlot: parentBlock && parentBlock.header.number > 0 ? auraSlot(parentBlock.header) : undefined,
      })
      let authorities = parent.aura
      for (const payload of consensusLogs(header, AURA_ENGINE)) {
        const log = decodeAuraConsensusLog(payload)
        if (log.kind === 'authoritiesChange') authorities = log.authorities
      }
      // every block weighs the same for Aura: the longest chain wins
      return { ok: true, state: { grandpa: applyHeader(parent.grandpa, header), aura: authorities, babe: undefined }, weight: 1n }
    } catch (e) {
      return { ok: false, error: e instanceof AuraVerifyError ? `${e.code}: ${e.message}` : (e as Error).message }
    }
  }

  private verifyBabe(parent: BlockState, header: Header, slotMs: bigint): { ok: true; state: BlockState; weight: bigint } | { ok: false; error: string } {
    try {
      let epochs = parent.babe!
      // the first block after genesis fixes epoch 0's start slot
      if ('genesis' in epochs) epochs = { current: { ...epochs.genesis, startSlot: babePreDigest(header).slot }, next: undefined, disabled: [] }
      // one slot of drift allowed for clocks a little behind the author's
      const parentHeader = this.tree.get(header.parentHash)?.header
      const parentSlot = parentHeader && parentHeader.number > 0 ? babePreDigest(parentHeader).slot : undefined
      const r = babeStep(epochs, header, parentSlot, BigInt(Math.floor(this.now)) / slotMs + 1n)
      return { ok: true, state: { grandpa: applyHeader(parent.grandpa, header), aura: [], babe: r.state }, weight: r.weight }
    } catch (e) {
      return { ok: false, error: e instanceof BabeVerifyError ? `${e.code}: ${e.message}` : (e as Error).message }
    }
  }

  /** The consensus state after a block in the tree: what the database saves for the finalized block. */
  consensusAt(hash: Uint8Array): { grandpa: GrandpaState; consensus: Consensus } | undefined {
    const s = this.tree.get(hash)?.state
    if (!s) return undefined
    const c = this.consensus
    return { grandpa: s.grandpa, consensus: c.kind === 'aura' ? { ...c, authorities: s.aura } : c.kind === 'babe' ? { ...c, epochs: s.babe! } : c }
  }

  /** The chain's consensus engine. */
  get consensusKind(): Consensus['kind'] {
    return this.consensus.kind
  }

  /** The signature scheme of the Aura authorities. */
  get auraScheme(): AuraConsensus['scheme'] {
    return this.consensus.kind === 'aura' ? this.consensus.scheme : 'sr25519'
  }

  get finalized(): TreeBlock<BlockState> {
    return this.tree.finalized
  }
  get best(): TreeBlock<BlockState> {
    return this.tree.best
  }
  block(hash: Uint8Array): TreeBlock<BlockState> | undefined {
    return this.tree.get(hash)
  }
  /** The GRANDPA set whose justification finalizes `hash` (a block in the tree). */
  setAt(hash: Uint8Array): AuthoritySet | undefined {
    const s = this.tree.get(hash)?.state.grandpa
    return s && { setId: s.setId, authorities: s.authorities }
  }

  /**
   * Restarts the view at a trusted block in one step: `finalized` with the GRANDPA state `grandpa` after it
   * and the Aura authorities or BABE epochs `consensus` gives — a warp's target once its runtime's consensus
   * is known (phase two done), or genesis when no peer knows the checkpoint. Everything the view held is
   * gone (the caller reports a `reset` to its listeners).
   */
  restart(finalized: Header, grandpa: GrandpaState, consensus: Consensus): void {
    if (consensus.kind !== this.consensus.kind) throw new LightSyncError(`the chain's consensus changed from ${this.consensus.kind} to ${consensus.kind}`)
    this.consensus = consensus
    this.tree = this.newTree(finalized, grandpa)
  }

  /** Verifies and inserts a header at time `nowMs`. */
  insertHeader(header: Header, nowMs: number): HeaderOutcome {
    this.now = nowMs
    const r = this.tree.insert(header)
    switch (r.kind) {
      case 'alreadyKnown':
        return { kind: 'known' }
      case 'belowFinalized':
        return { kind: 'belowFinalized' }
      case 'unknownParent':
        return { kind: 'unknownParent', parentHash: r.parentHash }
      case 'badNumber':
        return { kind: 'invalid', reason: `block #${header.number} does not follow its parent (#${r.expected} expected)` }
      case 'invalid':
        return { kind: 'invalid', reason: `block #${header.number}: ${r.error}` }
      case 'full':
        return { kind: 'full' }
      case 'inserted': {
        const events: LightSyncEvent[] = [{ kind: 'newBlock', hash: r.block.hash, header }]
        if (r.bestChanged) events.push({ kind: 'bestChanged', hash: r.block.hash })
        return { kind: 'inserted', events }
      }
    }
  }

  /**
   * Verifies a GRANDPA justification (from a block response, or a commit with our ancestry) against the
   * set in force at its target, and finalizes the target. Throws GrandpaError / LightSyncError when it
   * does not hold (its sender is to be banned); returns no events when the target is already final.
   */
  applyJustification(j: GrandpaJustification): LightSyncEvent[] {
    if (j.targetNumber <= this.finalized.header.number) return []
    const state = this.tree.get(j.targetHash)?.state.grandpa
    if (!state) throw new LightSyncError(`justification for unknown block ${toHex(j.targetHash)}`)
    const set = justifyingSet(state, j.targetNumber)
    verifyJustification(j, set, { hash: j.targetHash, number: j.targetNumber })
    return this.finalize(j.targetHash)
  }

  /** A parachain: finalizes a block in the tree that the relay chain's finalized block names as its para head. */
  finalizeVouched(hash: Uint8Array): LightSyncEvent[] {
    if (this.consensus.kind !== 'relay') throw new LightSyncError('only a parachain is finalized by its relay chain')
    if (bytesEqual(hash, this.finalized.hash)) return []
    return this.finalize(hash)
  }

  /** A parachain: makes a block in the tree the best one (the relay chain's best block vouches for it). */
  setBestVouched(hash: Uint8Array): LightSyncEvent[] {
    if (this.consensus.kind !== 'relay') throw new LightSyncError('only a parachain has its best block named by its relay chain')
    if (bytesEqual(hash, this.tree.best.hash)) return []
    if (!this.tree.setBest(hash)) throw new LightSyncError(`cannot make ${toHex(hash)} the best block: not in the tree`)
    return [{ kind: 'bestChanged', hash }]
  }

  /**
   * A parachain whose relay-finalized para head is not linked to what we hold (far ahead, or the first
   * head after a genesis start): the view restarts there, as after a warp.
   */
  restartAt(finalized: Header): void {
    if (this.consensus.kind !== 'relay') throw new LightSyncError('only a parachain restarts at a head its relay chain vouches for')
    this.tree = this.newTree(finalized, this.tree.finalized.state.grandpa)
  }

  private finalize(hash: Uint8Array): LightSyncEvent[] {
    const bestBefore = this.tree.best.hash
    const r = this.tree.finalize(hash)
    if (r.kind !== 'finalized') throw new LightSyncError(`cannot finalize ${toHex(hash)}: ${r.kind}`)
    // standard set changes due by this block are enacted for it and every block above it
    const n = r.block.header.number
    const stack = [r.block]
    while (stack.length) {
      const b = stack.pop()!
      b.state = { ...b.state, grandpa: applyFinalized(b.state.grandpa, n) }
      stack.push(...b.children)
    }
    // a best block that finality prunes is replaced first: the spec's chainHead `finalized` may only
    // mention the current best as the new finalized block (smoldot and Substrate order them so too)
    const events: LightSyncEvent[] = []
    if (!bytesEqual(bestBefore, this.tree.best.hash)) events.push({ kind: 'bestChanged', hash: this.tree.best.hash })
    events.push({ kind: 'finalized', hashes: r.finalizedChain.map((b) => b.hash), pruned: r.pruned.map((b) => b.hash) })
    return events
  }

  /** Non-finalized blocks from the finalized one's children down, parents before children. */
  *blocksAbove(): Generator<TreeBlock<BlockState>> {
    const stack = [...this.tree.finalized.children]
    while (stack.length) {
      const b = stack.shift()!
      yield b
      stack.push(...b.children)
    }
  }

  /** The canonical chain view a GRANDPA commit is checked against: best chain blocks by number. */
  canonicalAt(number: number): { hash: Uint8Array; header: Header } | undefined {
    for (let b: TreeBlock<BlockState> | undefined = this.tree.best; b; b = b.parent) {
      if (b.header.number === number) return b
      if (b.header.number < number) return undefined
    }
    return number === this.tree.finalized.header.number ? this.tree.finalized : undefined
  }
}
