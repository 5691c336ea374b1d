// The GRANDPA authority set in force at each block of the node's canonical chain. It starts from the
// genesis set, then follows every canonical header's digests (scheduled and forced changes, via
// `finality/authority-set.ts`; a reorg replays the new canonical blocks above the finalized one) and
// every finalization (standard changes are enacted when the block that ends their delay is final). One state is kept per non-finalized block, so a justification for any of
// them is checked against the set in force at *that* block — not at the tip, where a later change may
// already apply. Both the authoring node (which signs) and the syncing node (which verifies) use it, so
// they agree on every set id. Pure.

import { Reader } from '../codec/index.ts'
import type { StorageBackend } from '../executor/index.ts'
import type { Header } from '../header/index.ts'
import type { DevChain } from './dev-chain.ts'
import { runtimeAt } from './runtime-apis.ts'
import { GrandpaError, applyFinalized, applyHeader, initialGrandpaState, justifyingSet, type AuthoritySet, type GrandpaState } from '../finality/index.ts'

export class GrandpaSets {
  private finalizedState: GrandpaState
  /** States after each block above the finalized one: `above[i]` is block `finalizedNumber + 1 + i`. */
  private above: GrandpaState[] = []

  constructor(
    genesis: AuthoritySet,
    private finalizedNumber = 0,
  ) {
    this.finalizedState = initialGrandpaState(genesis.setId, genesis.authorities)
  }

  /** Replays a stored chain: `headers` are blocks 1..best in order; blocks up to `finalized` are final. */
  static replay(genesis: AuthoritySet, headers: Iterable<Header>, finalized: number): GrandpaSets {
    const s = new GrandpaSets(genesis)
    for (const h of headers) {
      s.imported(h)
      if (h.number <= finalized) s.finalized(h.number)
    }
    return s
  }

  get bestNumber(): number {
    return this.finalizedNumber + this.above.length
  }

  /** The set in force after the finalized block (the one voting on the blocks above it). */
  get finalizedSetId(): bigint {
    return this.finalizedState.setId
  }

  /** The set in force after the finalized block: the one voting on the blocks above it. */
  get finalizedSet(): AuthoritySet {
    return { setId: this.finalizedState.setId, authorities: this.finalizedState.authorities }
  }

  /** The tracker state after the best block. */
  get current(): GrandpaState {
    return this.above.length ? this.above[this.above.length - 1] : this.finalizedState
  }

  /** A block appended on top of the best one. */
  imported(header: Header): void {
    if (header.number !== this.bestNumber + 1) throw new RangeError(`block #${header.number} does not extend #${this.bestNumber}`)
    this.above.push(applyHeader(this.current, header))
  }

  /** The canonical chain above the finalized block changed (a reorg): `headers` are its blocks, in order. */
  rebase(headers: readonly Header[]): void {
    this.above = []
    for (const h of headers) this.imported(h)
  }

  /** The set whose justification finalizes block `number` (a block we hold above the finalized one). */
  at(number: number): AuthoritySet {
    const s = number <= this.finalizedNumber ? this.finalizedState : this.above[number - this.finalizedNumber - 1]
    if (!s) throw new RangeError(`block #${number} is not imported`)
    return number <= this.finalizedNumber ? { setId: s.setId, authorities: s.authorities } : justifyingSet(s, number)
  }

  /**
   * The set that may finalize block `number` now, or undefined while a set change below it is not final
   * (no set can justify it yet: TooFarAhead in `at`).
   */
  justifyingNow(number: number): AuthoritySet | undefined {
    try {
      return this.at(number)
    } catch (e) {
      if (e instanceof GrandpaError && e.code === 'TooFarAhead') return undefined
      throw e
    }
  }

  /** Block `number` is final: standard changes due by then are enacted, for it and every block above. */
  finalized(number: number): void {
    if (number <= this.finalizedNumber) return
    if (number > this.bestNumber) throw new RangeError(`block #${number} is not imported`)
    const k = number - this.finalizedNumber
    this.finalizedState = applyFinalized(this.above[k - 1], number)
    this.above = this.above.slice(k).map((s) => applyFinalized(s, number))
    this.finalizedNumber = number
  }
}

/** A chain the node cannot finalize: its runtime has no GRANDPA (a parachain, or another finality). */
export class NoGrandpaError extends Error {
  override readonly name = 'NoGrandpaError'
}

/**
 * The GRANDPA set of a chain's genesis, from its genesis runtime (`GrandpaApi`); NoGrandpaError without
 * one. At genesis the set id is 0 by definition, so a runtime older than `GrandpaApi_current_set_id`
 * (Westend's genesis, for one) still gives its set.
 */
export function genesisGrandpaSet(genesis: StorageBackend): AuthoritySet {
  const rt = runtimeAt(genesis)
  const call = (m: string) => new Reader(rt.call(m, new Uint8Array(), { storage: genesis }).output)
  if (!rt.hasExport('GrandpaApi_grandpa_authorities')) throw new NoGrandpaError('this chain has no GRANDPA finality of its own (its runtime has no GrandpaApi; a parachain is finalized through its relay chain): sublight node and dev run GRANDPA chains only')
  const setId = rt.hasExport('GrandpaApi_current_set_id') ? call('GrandpaApi_current_set_id').u64() : 0n
  return { setId, authorities: call('GrandpaApi_grandpa_authorities').vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
}

/**
 * The sets along a stored chain: genesis set, then every canonical block replayed; from then on they
 * follow the chain's new best blocks, reorgs and finality by themselves.
 */
export function grandpaSetsOf(chain: DevChain, genesis: AuthoritySet): GrandpaSets {
  const sets = GrandpaSets.replay(genesis, chain.headers(), chain.finalized().number)
  chain.onEvent((e) => {
    if (e.kind === 'finalized') return sets.finalized(e.header.number)
    if (e.kind === 'block' && e.best && !e.reorg) return sets.imported(e.header)
    if (e.kind === 'best' || (e.kind === 'block' && e.reorg)) {
      const headers: Header[] = []
      for (let n = chain.finalized().number + 1; n <= chain.best().number; n++) headers.push(chain.blockAt(n)!.header)
      sets.rebase(headers)
    }
  })
  return sets
}
