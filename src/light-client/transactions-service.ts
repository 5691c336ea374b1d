// Transactions sent through the light client (service): each is validated by the runtime at the best
// block over a call proof (`TaggedTransactionQueue_validate_transaction`), gossiped to every peer on
// `/transactions/1` (again at each new best block until included), validated again every few best
// blocks (and once its longevity is over) until included — a transaction that became invalid is
// reported so — and watched for: the body of every new block, fork blocks included, is fetched (checked
// against its extrinsics root) and searched, and the pure `InclusionTracker` turns what was found into
// events along the best chain (included, retracted by a reorg or a warp, finalized). Events use the new
// JSON-RPC spec's names (validated, broadcasted, bestChainBlockIncluded, finalized, invalid, dropped,
// error). Bounded: MAX_WATCHED in all, MAX_WATCHED_PER_CONNECTION per JSON-RPC connection.

import { bytesEqual, toHex, utf8 } from '../codec/index.ts'
import { blake2_64 } from '../crypto/index.ts'
import { ExecutorError, MissingStorageError, type RuntimeVersion } from '../executor/index.ts'
import { InclusionTracker, TX_SOURCE_EXTERNAL, decodeTransactionValidity, validateTransactionArgs, type InclusionEvent } from '../transactions/index.ts'
import type { LightSyncEvent } from '../sync/index.ts'
import type { BlockRef } from '../json-rpc/index.ts'

export type TransactionEvent =
  | { event: 'validated' }
  /** `peers`: who it was sent to (the legacy API reports them; the new spec has no such event). */
  | { event: 'broadcasted'; numPeers: number; peers: string[] }
  | { event: 'bestChainBlockIncluded'; block: { hash: string; index: number } | null }
  | { event: 'finalized'; block: { hash: string; index: number } }
  | { event: 'invalid' | 'dropped'; error: string }
  /** `verification`: the runtime failed validating it (an undecodable transaction): Substrate's 1002, as the node answers. */
  | { event: 'error'; error: string; verification?: boolean }

/** Transactions watched at once, and per JSON-RPC connection (more are dropped at once, as an overloaded node would). */
export const MAX_WATCHED = 2048
export const MAX_WATCHED_PER_CONNECTION = 16
/** A pending transaction is validated again when the best block is this many blocks past its last validation. */
export const REVALIDATE_EVERY = 10

/** What the service needs of the chain (the light client's `ChainService`). */
export interface TransactionsChain {
  readonly ready: Promise<void>
  best(): BlockRef
  finalized(): BlockRef
  hashAt(number: number): Uint8Array | undefined
  /** The hashes from the best block down to the finalized one. */
  bestChain(): Iterable<Uint8Array>
  runtimeVersion(hash: Uint8Array): Promise<RuntimeVersion>
  call(hash: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array>
  body(hash: Uint8Array): Promise<Uint8Array[]>
  onEvent(fn: (e: LightSyncEvent) => void): () => void
  /** Sends transactions to every peer; the peers they went to. */
  gossipTransactions(txs: Uint8Array[]): string[]
}

interface Watched {
  id: number
  tx: Uint8Array
  emit: (e: TransactionEvent) => void
  /** The JSON-RPC connection that submitted it (what the per-connection bound counts). */
  owner: number | undefined
  done: boolean
  /** The tags the runtime said it provides (an account's (account, nonce)), once validated. */
  provides: Uint8Array[]
  /** The runtime found it valid: only then is it gossiped (again at each new best block until included). */
  validated: boolean
  validating: boolean
  /** The best block number it was last validated at, and for how many blocks that holds. */
  validatedAt: number
  longevity: bigint
}

export class TransactionsService {
  private readonly watched = new Map<number, Watched>()
  private readonly tracker = new InclusionTracker()
  private nextId = 1
  private readonly unlisten: () => void
  /** Bodies being fetched (block hex): what the best chain's report waits for, so that it is told once, right. */
  private readonly fetching = new Map<string, Promise<void>>()
  /** Chain events are handled one after the other, in order. */
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly chain: TransactionsChain) {
    this.unlisten = chain.onEvent((e) => {
      // bodies are fetched at once (in parallel); what is reported waits its turn
      if (e.kind === 'newBlock' && this.watched.size) this.fetchBody(e.hash)
      this.queue = this.queue.then(() => this.onChainEvent(e)).catch(() => {})
    })
  }

  /**
   * Validates, gossips and watches `tx`; `emit` gets its events; `owner` is the submitting connection.
   * Returns the function that stops watching.
   */
  submit(tx: Uint8Array, emit: (e: TransactionEvent) => void, owner?: number): () => void {
    if (!this.canWatch(owner)) {
      setTimeout(() => emit({ event: 'dropped', error: 'too many transactions are being watched' }), 0)
      return () => {}
    }
    const w: Watched = { id: this.nextId++, tx, emit, owner, done: false, provides: [], validated: false, validating: false, validatedAt: 0, longevity: 0n }
    this.watched.set(w.id, w)
    this.tracker.watch(w.id)
    void this.validate(w)
    return () => this.finish(w)
  }

  /** Whether one more transaction of `owner` (a connection) can be watched now. */
  canWatch(owner?: number): boolean {
    if (this.watched.size >= MAX_WATCHED) return false
    if (owner === undefined) return true
    let mine = 0
    for (const w of this.watched.values()) if (w.owner === owner) mine++
    return mine < MAX_WATCHED_PER_CONNECTION
  }

  private finish(w: Watched): void {
    w.done = true
    this.watched.delete(w.id)
    this.tracker.forget(w.id)
  }

  /** Validates at the best block (first time: then gossips; again: only an invalid answer counts). */
  private async validate(w: Watched): Promise<void> {
    const again = w.validated
    w.validating = true
    try {
      await this.chain.ready
      const best = this.chain.best()
      const version = await this.chain.runtimeVersion(best.hash)
      const id = toHex(blake2_64(utf8('TaggedTransactionQueue')))
      const apiVersion = version.apis.find(([api]) => toHex(api) === id)?.[1]
      if (apiVersion === undefined) throw new Error('the runtime has no TaggedTransactionQueue API')
      const validity = decodeTransactionValidity(await this.chain.call(best.hash, 'TaggedTransactionQueue_validate_transaction', validateTransactionArgs(TX_SOURCE_EXTERNAL, w.tx, best.hash, apiVersion)))
      if (w.done) return
      if (!validity.ok) {
        // once included, what the runtime says of it at a later block no longer matters
        if (again && this.tracker.isIncluded(w.id)) return
        w.emit(validity.kind === 'invalid' ? { event: 'invalid', error: validity.message } : { event: 'dropped', error: validity.message })
        return this.finish(w)
      }
      w.provides = validity.valid.provides
      w.validatedAt = best.header.number
      w.longevity = validity.valid.longevity
      if (again) return
      w.validated = true
      w.emit({ event: 'validated' })
      this.gossip(w)
    } catch (e) {
      // validating again: a peer that could not prove the call, or a runtime hiccup, is tried again later
      if (w.done || again) return
      const verification = e instanceof ExecutorError || e instanceof MissingStorageError
      w.emit({ event: 'error', error: verification ? `Runtime error: ${(e as Error).message}` : (e as Error).message, ...(verification ? { verification } : {}) })
      this.finish(w)
    } finally {
      w.validating = false
    }
  }

  private gossip(w: Watched): void {
    const peers = this.chain.gossipTransactions([w.tx])
    w.emit({ event: 'broadcasted', numPeers: peers.length, peers })
  }

  private apply(events: InclusionEvent[]): void {
    for (const e of events) {
      const w = this.watched.get(e.id)
      if (!w || w.done) continue
      if (e.kind === 'bestChainBlockIncluded') w.emit({ event: 'bestChainBlockIncluded', block: e.block })
      else {
        w.emit({ event: 'finalized', block: e.block })
        this.finish(w)
      }
    }
  }

  /** Fetches a new block's body (fork blocks too: a reorg may make any of them the best chain) and records what it holds. */
  private fetchBody(hash: Uint8Array): void {
    const key = toHex(hash)
    const done = this.chain
      .body(hash)
      .then((body) => {
        const found: [number, number][] = []
        for (const w of this.watched.values()) {
          const index = body.findIndex((x) => bytesEqual(x, w.tx))
          if (index >= 0) found.push([w.id, index])
        }
        // recorded now (the best chain's report waits for it)
        if (found.length) this.apply(this.tracker.blockBody(key, found))
      })
      .catch(() => {})
      .finally(() => this.fetching.delete(key))
    this.fetching.set(key, done)
  }

  /** Waits for the bodies of `hashes` still being fetched. */
  private async bodiesOf(hashes: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = []
    for (const h of hashes) {
      const p = this.fetching.get(h)
      if (p) waits.push(p)
    }
    await Promise.all(waits)
  }

  private async onChainEvent(e: LightSyncEvent): Promise<void> {
    if (this.watched.size === 0) return
    if (e.kind === 'bestChanged') {
      const chain = Array.from(this.chain.bestChain(), toHex)
      await this.bodiesOf(chain)
      this.apply(this.tracker.best(chain))
      const bestNumber = this.chain.best().header.number
      for (const w of [...this.watched.values()]) {
        if (w.done || !w.validated || this.tracker.isIncluded(w.id)) continue
        // valid and not yet included: gossip again, as peers may have missed it; validate again when due
        this.gossip(w)
        const due = bestNumber >= w.validatedAt + REVALIDATE_EVERY || BigInt(bestNumber) > BigInt(w.validatedAt) + w.longevity
        if (due && !w.validating) void this.validate(w)
      }
    } else if (e.kind === 'finalized') {
      const hashes = e.hashes.map(toHex)
      await this.bodiesOf(hashes)
      this.apply(this.tracker.finalized(hashes, e.pruned.map(toHex)))
    } else if (e.kind === 'reset') {
      this.apply(this.tracker.reset())
    }
  }

  private *pendingWatched(): Generator<Watched> {
    for (const w of this.watched.values()) if (!w.done && !this.tracker.isIncluded(w.id)) yield w
  }

  /** Transactions submitted and not yet in a block of the best chain. */
  pending(): Uint8Array[] {
    return [...this.pendingWatched()].map((w) => w.tx)
  }

  /** What pending transactions provide (for the next account index). */
  pendingTags(): Uint8Array[] {
    return [...this.pendingWatched()].flatMap((w) => w.provides)
  }

  stop(): void {
    this.unlisten()
    for (const w of this.watched.values()) w.done = true
    this.watched.clear()
  }
}
