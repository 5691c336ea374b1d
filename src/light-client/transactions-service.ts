// Transactions sent through the light client (service): each is validated by the runtime at the best
// block over a call proof (`TaggedTransactionQueue_validate_transaction`), gossiped to every peer on
// `/transactions/1` (again at each new best block until included), and watched for: the bodies of new
// blocks are fetched (checked against their extrinsics roots) and searched for it, so the watcher learns
// the block that includes it on the best chain, then its finality. Events use the new JSON-RPC spec's
// names (validated, broadcasted, bestChainBlockIncluded, finalized, invalid, dropped, error).

import { bytesEqual, toHex, utf8 } from '../codec/index.ts'
import { blake2_64 } from '../crypto/index.ts'
import { ExecutorError, MissingStorageError } from '../executor/index.ts'
import { TX_SOURCE_EXTERNAL, decodeTransactionValidity, validateTransactionArgs } from '../transactions/index.ts'
import type { LightSyncEvent } from '../sync/index.ts'
import type { ChainService } from './chain-service.ts'

export type TransactionEvent =
  | { event: 'validated' }
  /** `peers`: who it was sent to (the legacy API reports them; the new spec's event has only the count). */
  | { event: 'broadcasted'; numPeers: number; peers: string[] }
  | { event: 'bestChainBlockIncluded'; block: { hash: string; index: number } | null }
  | { event: 'finalized'; block: { hash: string; index: number } }
  | { event: 'invalid' | 'dropped'; error: string }
  /** `verification`: the runtime failed validating it (an undecodable transaction): Substrate's 1002, as the node answers. */
  | { event: 'error'; error: string; verification?: boolean }

/** Transactions watched at once (more are dropped at once, as an overloaded node would). */
const MAX_WATCHED = 256

interface Watched {
  tx: Uint8Array
  emit: (e: TransactionEvent) => void
  included: { hash: Uint8Array; index: number } | undefined
  done: boolean
  /** The tags the runtime said it provides (an account's (account, nonce)), once validated. */
  provides: Uint8Array[]
  /** The runtime found it valid: only then is it gossiped (again at each new block until included). */
  validated: boolean
}

export class TransactionsService {
  private readonly watched = new Set<Watched>()
  private readonly unlisten: () => void

  constructor(private readonly chain: ChainService) {
    this.unlisten = chain.onEvent((e) => void this.onChainEvent(e))
  }

  /** Validates, gossips and watches `tx`; `emit` gets its events; returns the function that stops watching. */
  submit(tx: Uint8Array, emit: (e: TransactionEvent) => void): () => void {
    const w: Watched = { tx, emit, included: undefined, done: false, provides: [], validated: false }
    if (this.watched.size >= MAX_WATCHED) {
      setTimeout(() => emit({ event: 'dropped', error: 'too many transactions are being watched' }), 0)
      return () => {}
    }
    this.watched.add(w)
    void this.validateAndGossip(w)
    return () => this.finish(w)
  }

  private finish(w: Watched): void {
    w.done = true
    this.watched.delete(w)
  }

  private async validateAndGossip(w: Watched): Promise<void> {
    await this.chain.ready
    const best = this.chain.sync.best.hash
    try {
      const version = await this.chain.runtimeVersion(best)
      const id = toHex(blake2_64(utf8('TaggedTransactionQueue')))
      const apiVersion = version.apis.find(([api]) => toHex(api) === id)?.[1]
      if (apiVersion === undefined) throw new Error('the runtime has no TaggedTransactionQueue API')
      const validity = decodeTransactionValidity(await this.chain.call(best, 'TaggedTransactionQueue_validate_transaction', validateTransactionArgs(TX_SOURCE_EXTERNAL, w.tx, best, apiVersion)))
      if (w.done) return
      if (!validity.ok) {
        w.emit(validity.kind === 'invalid' ? { event: 'invalid', error: validity.message } : { event: 'dropped', error: validity.message })
        return this.finish(w)
      }
      w.provides = validity.valid.provides
      w.validated = true
      w.emit({ event: 'validated' })
      this.gossip(w)
    } catch (e) {
      if (w.done) return
      const verification = e instanceof ExecutorError || e instanceof MissingStorageError
      w.emit({ event: 'error', error: verification ? `Runtime error: ${(e as Error).message}` : (e as Error).message, ...(verification ? { verification } : {}) })
      this.finish(w)
    }
  }

  private gossip(w: Watched): void {
    const peers = this.chain.host.gossipTransactions([w.tx])
    w.emit({ event: 'broadcasted', numPeers: peers.length, peers })
  }

  private async onChainEvent(e: LightSyncEvent): Promise<void> {
    if (this.watched.size === 0) return
    if (e.kind === 'newBlock') {
      const body = await this.chain.body(e.hash).catch(() => undefined)
      if (!body) return
      for (const w of this.watched) {
        if (w.done || w.included) continue
        const index = body.findIndex((x) => bytesEqual(x, w.tx))
        if (index < 0) continue
        w.included = { hash: e.hash, index }
        w.emit({ event: 'bestChainBlockIncluded', block: { hash: toHex(e.hash), index } })
        // its block may have been finalized while its body was being fetched
        if (!this.chain.sync.block(e.hash) && e.header.number <= this.chain.sync.finalized.header.number) {
          w.emit({ event: 'finalized', block: { hash: toHex(e.hash), index } })
          this.finish(w)
        }
      }
      // valid and not yet included: gossip again, as peers may have missed it (never one still being validated)
      for (const w of this.watched) if (!w.done && !w.included && w.validated) this.gossip(w)
    } else if (e.kind === 'finalized') {
      for (const w of this.watched) {
        if (w.done || !w.included) continue
        if (e.hashes.some((h) => bytesEqual(h, w.included!.hash))) {
          w.emit({ event: 'finalized', block: { hash: toHex(w.included.hash), index: w.included.index } })
          this.finish(w)
        } else if (e.pruned.some((h) => bytesEqual(h, w.included!.hash))) {
          // its block left the chain: it is pending again
          w.included = undefined
          w.emit({ event: 'bestChainBlockIncluded', block: null })
        }
      }
    }
  }

  private *pendingWatched(): Generator<Watched> {
    for (const w of this.watched) if (!w.done && !w.included) yield w
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
    for (const w of this.watched) w.done = true
    this.watched.clear()
  }
}
