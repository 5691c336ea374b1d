// Transaction JSON-RPC methods over the node's pool: the legacy `author_*` family and
// `system_accountNextIndex` (the nonce reading and `payment_queryInfo` are shared with the light client
// in `json-rpc/legacy.ts`), and the new spec's `transaction_v1_broadcast/stop` and
// `transactionWatch_v1_submitAndWatch/unwatch`.
// Errors follow Substrate's codes (1010 invalid, 1011 unknown validity, 1013 already imported, 1016
// pool full, 1002 verification error) and carry the runtime's validity error as `data`.

import { toHex } from '../codec/index.ts'
import { ExecutorError, MissingStorageError } from '../executor/index.ts'
import { INVALID_PARAMS, RpcError, accountParam, nextAccountIndex, txParam, type Registry } from '../json-rpc/index.ts'
import { devChainAccess } from './chain-access.ts'
import type { DevChain } from './dev-chain.ts'
import { PoolError, TX_SOURCE_EXTERNAL, TX_SOURCE_LOCAL, txHash, type TxEvent, type TxPool } from './tx-pool.ts'

/** What the transaction methods need from the node. */
export interface TransactionHost {
  readonly pool: TxPool
  readonly chain: DevChain
  submit(tx: Uint8Array, source: number): { hash: Uint8Array; status: 'ready' | 'future' }
}

const POOL_ERROR_CODES: Record<PoolError['code'], number> = { Invalid: 1010, Unknown: 1011, TemporarilyBanned: 1012, AlreadyImported: 1013, PoolFull: 1016, Undecodable: 1002 }
const POOL_ERROR_MESSAGES: Record<PoolError['code'], string> = {
  Invalid: 'Invalid Transaction',
  Unknown: 'Unknown Transaction Validity',
  TemporarilyBanned: 'Transaction is temporarily banned',
  AlreadyImported: 'Transaction Already Imported',
  PoolFull: 'Immediately Dropped',
  Undecodable: 'Verification Error',
}

/** Submits, turning pool and runtime failures into JSON-RPC errors. */
function submitOrThrow(host: TransactionHost, tx: Uint8Array, source: number): { hash: Uint8Array; status: 'ready' | 'future' } {
  try {
    return host.submit(tx, source)
  } catch (e) {
    if (e instanceof PoolError) {
      const v = e.validity
      const data = v && !v.ok ? (v.custom !== undefined ? `Custom error: ${v.custom}` : v.message) : e.message
      throw new RpcError(POOL_ERROR_CODES[e.code], POOL_ERROR_MESSAGES[e.code], data)
    }
    if (e instanceof ExecutorError || e instanceof MissingStorageError) throw new RpcError(1002, 'Verification Error', `Runtime error: ${e.message}`)
    throw e
  }
}

/** Legacy `author_extrinsicUpdate` form of a pool event. */
function legacyStatus(e: TxEvent): unknown {
  switch (e.type) {
    case 'ready':
    case 'future':
    case 'invalid':
    case 'dropped':
      return e.type
    case 'broadcast':
      return { broadcast: e.peers }
    case 'inBlock':
      return { inBlock: toHex(e.blockHash) }
    case 'retracted':
      return { retracted: toHex(e.blockHash) }
    case 'finalized':
      return { finalized: toHex(e.blockHash) }
  }
}

/** `transactionWatch_v1_watchEvent` form of a pool event (undefined: not reported by the new spec). */
function specEvent(e: TxEvent): unknown {
  switch (e.type) {
    case 'ready':
    case 'future':
      return { event: 'validated' }
    case 'broadcast':
      return undefined
    case 'inBlock':
      return { event: 'bestChainBlockIncluded', block: { hash: toHex(e.blockHash), index: e.index } }
    case 'retracted':
      // the spec: included in no block of the best chain any more
      return { event: 'bestChainBlockIncluded', block: null }
    case 'finalized':
      return { event: 'finalized', block: { hash: toHex(e.blockHash), index: e.index } }
    case 'invalid':
      return { event: 'invalid', error: e.message }
    case 'dropped':
      return { event: 'dropped', error: e.message }
  }
}

/** A pool event after which a transaction is no longer watched. */
const TERMINAL = new Set<TxEvent['type']>(['finalized', 'invalid', 'dropped'])

/** transaction_v1_broadcast operations at once (over all connections). */
const MAX_BROADCASTS = 4096

export function authorRpc(reg: Registry, host: TransactionHost): Registry {
  const access = devChainAccess(host.chain)
  const broadcasts = new Map<string, Uint8Array>()
  let nextOperation = 1
  return reg
    .method('author_submitExtrinsic', ([ext]) => toHex(submitOrThrow(host, txParam(ext), TX_SOURCE_EXTERNAL).hash))
    .method('system_accountNextIndex', ([who]) => nextAccountIndex(access, accountParam(who), host.pool.pendingTags()))
    .method('author_pendingExtrinsics', () => host.pool.pendingTransactions().map((t) => toHex(t.bytes)))
    // after a transaction's last event (finalized, invalid, dropped) its subscription is freed
    .subscription('author_submitAndWatchExtrinsic', 'author_extrinsicUpdate', 'author_unwatchExtrinsic', ([ext], emit, id, ctx) => {
      const { hash } = submitOrThrow(host, txParam(ext), TX_SOURCE_EXTERNAL)
      return host.pool.watch(hash, (e) => {
        emit(legacyStatus(e))
        if (TERMINAL.has(e.type)) ctx.endSubscription(id)
      })
    })
    .subscription('transactionWatch_v1_submitAndWatch', 'transactionWatch_v1_watchEvent', 'transactionWatch_v1_unwatch', ([ext], emit, id, ctx) => {
      const tx = txParam(ext)
      try {
        const { hash } = host.submit(tx, TX_SOURCE_EXTERNAL)
        return host.pool.watch(hash, (e) => {
          const ev = specEvent(e)
          if (ev !== undefined) emit(ev)
          if (TERMINAL.has(e.type)) ctx.endSubscription(id)
        })
      } catch (e) {
        // the new spec reports a rejected transaction as an event on its subscription
        const message = e instanceof PoolError ? (e.validity && !e.validity.ok ? e.validity.message : e.message) : (e as Error).message
        setTimeout(() => {
          emit({ event: e instanceof PoolError && e.code === 'AlreadyImported' ? 'dropped' : 'invalid', error: message })
          ctx.endSubscription(id)
        }, 0)
        return () => {}
      }
    }, 'nullOrError')
    .method('transaction_v1_broadcast', ([ext]) => {
      const tx = txParam(ext)
      const id = `${nextOperation++}`
      try {
        host.submit(tx, TX_SOURCE_LOCAL)
      } catch {
        // broadcast is fire-and-forget: an invalid transaction is simply not propagated
      }
      // bounded: an overloaded server may answer null, as the spec allows
      if (broadcasts.size >= MAX_BROADCASTS) return null
      broadcasts.set(id, tx)
      // the operation ends by itself once the transaction is final or gone from the pool
      const unwatch = host.pool.watch(txHash(tx), (e) => {
        if (e.type === 'finalized' || e.type === 'invalid' || e.type === 'dropped') {
          broadcasts.delete(id)
          unwatch()
        }
      })
      if (!host.pool.has(txHash(tx))) {
        broadcasts.delete(id)
        unwatch()
      }
      return id
    })
    .method('transaction_v1_stop', ([id]) => {
      if (typeof id !== 'string' || !broadcasts.has(id)) throw new RpcError(INVALID_PARAMS, 'Invalid operation id')
      broadcasts.delete(id)
      return null
    })
}
