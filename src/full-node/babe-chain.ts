// The BABE epochs along a full node's chain, for the block it authors next and for the blocks it
// imports: the state after each recent block (the epoch in force, the announced next one), starting
// from the genesis runtime's configuration — epoch 0 starts at block #1's slot — and following each
// header's NextEpochData / NextConfigData with the verifier's own code (`verify/babe-epochs.ts`). Only
// the latest states are kept (a devnet's chain is linear; forks older than that are not followed).
// Pure.

import { toHex } from '../codec/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import { applyBabeDigests, babePreDigest, babeStep, epochFor, type BabeChainState, type BabeVerified } from '../verify/index.ts'

/** States kept: plenty for a linear chain and the few blocks an import or authoring looks back. */
const KEPT_STATES = 1024

export class BabeChain {
  private readonly after = new Map<string, BabeChainState>()

  /** `genesis` from `BabeApi_configuration` at genesis; `history` the chain's blocks after genesis, oldest first. */
  constructor(
    private readonly genesis: Omit<BabeEpoch, 'startSlot'>,
    history: Iterable<Header> = [],
  ) {
    for (const h of history) this.added(h)
  }

  /** The epochs in force above block #`parentNumber` (hash `parentHash`) for a block in `slot` (genesis: epoch 0 starting at `slot`). */
  private stateAbove(parentNumber: number, parentHash: Uint8Array, slot: bigint): BabeChainState {
    if (parentNumber === 0) return { current: { ...this.genesis, startSlot: slot }, next: undefined, disabled: [] }
    const s = this.after.get(toHex(parentHash))
    if (!s) throw new RangeError(`no BABE epochs known after #${parentNumber}`)
    return s
  }

  /** The epoch a block in `slot` above `parent` belongs to. */
  epochAbove(parent: Header, slot: bigint): BabeEpoch {
    return epochFor(this.stateAbove(parent.number, headerHash(parent), slot), slot)
  }

  /** A block (ours, already valid) joined the chain: its epochs are recorded. */
  added(header: Header): void {
    if (header.number === 0) return
    const slot = babePreDigest(header).slot
    this.keep(header, applyBabeDigests(this.stateAbove(header.number - 1, header.parentHash, slot), header, slot))
  }

  /**
   * Verifies a peer's header on `parent` (slot claim, VRF, seal; `currentSlot` refuses blocks from the
   * future) and records its epochs. Throws BabeVerifyError.
   */
  verify(header: Header, parent: Header, currentSlot: bigint): BabeVerified {
    const r = babeStep(this.stateAbove(parent.number, headerHash(parent), babePreDigest(header).slot), header, parent.number > 0 ? babePreDigest(parent).slot : undefined, currentSlot)
    this.keep(header, r.state)
    return r.verified
  }

  private keep(header: Header, state: BabeChainState): void {
    this.after.set(toHex(headerHash(header)), state)
    if (this.after.size > KEPT_STATES) this.after.delete(this.after.keys().next().value!)
  }
}
