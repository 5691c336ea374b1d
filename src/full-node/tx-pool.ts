// The transaction pool: extrinsics validated by the runtime (`TaggedTransactionQueue_validate_transaction`),
// kept as ready or future by their provides/requires tags, ordered for block building by priority,
// dropped when invalid or stale, re-validated after each new block, and followed by watchers through
// status events (ready, future, broadcast, inBlock, finalized, invalid, dropped). Pure: the node service
// runs the runtime and feeds the verdicts in; no timers, no I/O.

import { DecodeError, toHex } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'

export { TX_SOURCE_IN_BLOCK, TX_SOURCE_LOCAL, TX_SOURCE_EXTERNAL, decodeTransactionValidity, validateTransactionArgs, type ValidTransaction, type TransactionValidity } from '../transactions/index.ts'
import type { TransactionValidity, ValidTransaction } from '../transactions/index.ts'

/** A watcher's view of one transaction's life. */
export type TxEvent =
  | { type: 'ready' | 'future' }
  | { type: 'broadcast'; peers: string[] }
  | { type: 'inBlock' | 'finalized'; blockHash: Uint8Array; index: number }
  /** The block that included it left the best chain (a reorg): it is pending again. */
  | { type: 'retracted'; blockHash: Uint8Array }
  | { type: 'invalid'; message: string }
  | { type: 'dropped'; message: string }

export class PoolError extends Error {
  override readonly name = 'PoolError'
  constructor(
    readonly code: 'Invalid' | 'Unknown' | 'AlreadyImported' | 'PoolFull' | 'TemporarilyBanned' | 'Undecodable',
    message: string,
    readonly validity?: TransactionValidity,
  ) {
    super(message)
  }
}

interface Entry {
  hash: string
  bytes: Uint8Array
  valid: ValidTransaction
  seq: number
  /** Block (hex hash) and index once included in the best chain. */
  included?: { blockHash: Uint8Array; blockNumber: number; index: number }
  /** Its first status (ready or future) has gone to the watchers. */
  announced?: boolean
}

export interface PoolLimits {
  /** Transactions held (ready + future + included awaiting finality); default 8192. */
  maxTransactions?: number
}

/** Hex of the transaction hash (blake2-256 of the extrinsic as encoded). */
export function txHash(bytes: Uint8Array): Uint8Array {
  return blake2_256(bytes)
}

export class TxPool {
  private readonly entries = new Map<string, Entry>()
  private readonly watchers = new Map<string, Set<(e: TxEvent) => void>>()
  private seq = 0
  private readonly max: number

  constructor(limits: PoolLimits = {}) {
    this.max = limits.maxTransactions ?? 8192
  }

  get size(): number {
    return this.entries.size
  }
  /** Transactions waiting for inclusion (ready or future). */
  get pending(): number {
    let n = 0
    for (const e of this.entries.values()) if (!e.included) n++
    return n
  }

  has(hash: Uint8Array): boolean {
    return this.entries.has(toHex(hash))
  }

  /** Follows a transaction's events; returns the unsubscribe. */
  watch(hash: Uint8Array, fn: (e: TxEvent) => void): () => void {
    const k = toHex(hash)
    let set = this.watchers.get(k)
    if (!set) this.watchers.set(k, (set = new Set()))
    set.add(fn)
    return () => {
      set.delete(fn)
      if (set.size === 0) this.watchers.delete(k)
    }
  }

  private emit(hash: string, e: TxEvent): void {
    for (const fn of [...(this.watchers.get(hash) ?? [])]) fn(e)
  }
  private finish(hash: string): void {
    this.entries.delete(hash)
    this.watchers.delete(hash)
  }

  /**
   * Adds a transaction with the runtime's verdict; throws PoolError when it is invalid, a duplicate,
   * or the pool is full. Emits ready/future to watchers registered before the call.
   */
  submit(bytes: Uint8Array, validity: TransactionValidity): { hash: Uint8Array; status: 'ready' | 'future' } {
    const hash = txHash(bytes)
    const k = toHex(hash)
    if (this.entries.has(k)) throw new PoolError('AlreadyImported', 'Transaction Already Imported')
    if (!validity.ok) throw new PoolError(validity.kind === 'invalid' ? 'Invalid' : 'Unknown', validity.message, validity)
    if (this.entries.size >= this.max) throw new PoolError('PoolFull', 'Transaction pool is full')
    const waiting = [...this.entries.values()].filter((e) => !e.included && !this.isReady(e.hash))
    this.entries.set(k, { hash: k, bytes, valid: validity.valid, seq: this.seq++ })
    // transactions this one unblocks are promoted from future to ready
    for (const e of waiting) {
      if (!this.isReady(e.hash)) continue
      e.announced = true
      this.emit(e.hash, { type: 'ready' })
    }
    const status = this.isReady(k) ? 'ready' : 'future'
    return { hash, status }
  }

  /**
   * Sends the first status (called once the submitter is watching), unless it went out already: a block
   * that includes the transaction before then sends it first, so watchers always see ready (or future)
   * before inBlock, as Substrate's pool reports them.
   */
  announceStatus(hash: Uint8Array): void {
    const e = this.entries.get(toHex(hash))
    if (e) this.announce(e)
  }
  private announce(e: Entry): void {
    if (e.announced) return
    e.announced = true
    this.emit(e.hash, { type: this.isReady(e.hash) ? 'ready' : 'future' })
  }

  private providedByPending(exclude?: string): Set<string> {
    const tags = new Set<string>()
    for (const e of this.entries.values()) if (!e.included && e.hash !== exclude) for (const t of e.valid.provides) tags.add(toHex(t))
    return tags
  }

  private isReady(k: string): boolean {
    const e = this.entries.get(k)!
    if (e.valid.requires.length === 0) return true
    const tags = this.providedByPending(k)
    return e.valid.requires.every((t) => tags.has(toHex(t)))
  }

  /**
   * Pending transactions in inclusion order: each one only after those providing its required tags
   * (a tag nobody pending provides makes it future: the runtime only lists tags not yet on chain),
   * higher priority first among those whose requirements are met, then by arrival.
   */
  ready(limit = Number.MAX_SAFE_INTEGER): Uint8Array[] {
    const left = new Set([...this.entries.values()].filter((e) => !e.included))
    const met = new Set<string>()
    const out: Uint8Array[] = []
    while (out.length < limit) {
      let best: Entry | undefined
      for (const e of left) {
        if (!e.valid.requires.every((t) => met.has(toHex(t)))) continue
        if (!best || e.valid.priority > best.valid.priority || (e.valid.priority === best.valid.priority && e.seq < best.seq)) best = e
      }
      if (!best) break
      left.delete(best)
      for (const t of best.valid.provides) met.add(toHex(t))
      out.push(best.bytes)
    }
    return out
  }

  /** Pending transactions, hashes and bytes (for `author_pendingExtrinsics` and gossip). */
  pendingTransactions(): { hash: Uint8Array; bytes: Uint8Array; propagate: boolean }[] {
    return [...this.entries.values()].filter((e) => !e.included).map((e) => ({ hash: txHash(e.bytes), bytes: e.bytes, propagate: e.valid.propagate }))
  }

  /** Tags provided by pending transactions. */
  pendingTags(): Uint8Array[] {
    return [...this.entries.values()].filter((e) => !e.included).flatMap((e) => e.valid.provides)
  }

  /** Tells watchers a transaction was sent to peers. */
  broadcast(hash: Uint8Array, peers: string[]): void {
    const k = toHex(hash)
    if (this.entries.has(k) && peers.length) this.emit(k, { type: 'broadcast', peers })
  }

  /** A new best block: its extrinsics that are ours become included (inBlock). */
  blockImported(blockHash: Uint8Array, blockNumber: number, body: readonly Uint8Array[]): void {
    body.forEach((ext, index) => {
      const k = toHex(txHash(ext))
      const e = this.entries.get(k)
      if (!e || e.included) return
      this.announce(e)
      e.included = { blockHash, blockNumber, index }
      this.emit(k, { type: 'inBlock', blockHash, index })
    })
  }

  /**
   * A block left the best chain (a reorg): the transactions it included are pending again (watchers get
   * `retracted`). Returns its extrinsics that were not ours, for the caller to offer to the pool again.
   */
  blockRetracted(blockHash: Uint8Array, body: readonly Uint8Array[]): Uint8Array[] {
    const others: Uint8Array[] = []
    for (const ext of body) {
      const e = this.entries.get(toHex(txHash(ext)))
      if (!e) {
        others.push(ext)
        continue
      }
      if (!e.included || toHex(e.included.blockHash) !== toHex(blockHash)) continue
      e.included = undefined
      this.emit(e.hash, { type: 'retracted', blockHash })
    }
    return others
  }

  /** Blocks up to `number` are final: included transactions there are finalized and leave the pool. */
  finalized(number: number): void {
    for (const e of [...this.entries.values()]) {
      if (!e.included || e.included.blockNumber > number) continue
      this.emit(e.hash, { type: 'finalized', blockHash: e.included.blockHash, index: e.included.index })
      this.finish(e.hash)
    }
  }

  /**
   * Re-validates pending transactions against a new best block through `validate`; invalid ones are
   * removed (watchers get `invalid`), the others keep their place with fresh tags.
   */
  revalidate(validate: (bytes: Uint8Array) => TransactionValidity): Uint8Array[] {
    const removed: Uint8Array[] = []
    for (const e of [...this.entries.values()]) {
      if (e.included) continue
      let v: TransactionValidity
      try {
        v = validate(e.bytes)
      } catch (err) {
        v = { ok: false, kind: 'unknown', variant: 0, message: err instanceof DecodeError ? `bad validity: ${err.message}` : (err as Error).message }
      }
      if (v.ok) e.valid = v.valid
      else {
        this.emit(e.hash, { type: 'invalid', message: v.message })
        this.finish(e.hash)
        removed.push(e.bytes)
      }
    }
    return removed
  }

  /** Removes a transaction the caller gave up on (watchers get `dropped`). */
  drop(hash: Uint8Array, message: string): boolean {
    const k = toHex(hash)
    if (!this.entries.has(k)) return false
    this.emit(k, { type: 'dropped', message })
    this.finish(k)
    return true
  }
}
