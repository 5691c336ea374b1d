// The JSON-RPC methods the light client serves for one chain, over its ChainService: the new spec's
// `chainHead_v1_*` (follow with pinning; header; body, call and storage as operations answered from
// peers' proofs) and `chainSpec_v1_*`, plus the system methods apps call first. Nothing here waits for
// the network before answering: a follow subscription gets its id at once and `initialized` once the
// chain knows its finalized block and runtime; `system_health` answers immediately.
//
// The node serves the same families from its database (`full-node/rpc-chain-head.ts`); merging both
// behind one asynchronous chain-access interface in `json-rpc/` is the next step (issue #13).

import { toHex } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { ExecutorError } from '../executor/index.ts'
import { encodeHeader } from '../header/index.ts'
import { INVALID_PARAMS, Registry, RpcError, bytesParam, hashParam, runtimeSpecJson } from '../json-rpc/index.ts'
import type { LightSyncEvent } from '../sync/index.ts'
import { ChainAccessError, type ChainService } from './chain-service.ts'
import type { TransactionsService } from './transactions-service.ts'

/** Blocks one follow subscription may hold pinned before it is stopped (the spec asks for at least 32). */
const MAX_PINNED = 512
const MAX_FOLLOWS_PER_CONNECTION = 16
const VERSION = '0.1.0'

interface Follow {
  emit: (e: unknown) => void
  pinned: Set<string>
  nextOp: number
  connectionId: number
  stop: () => void
}

export function lightClientRpc(chain: ChainService, spec: ChainSpec, transactions: TransactionsService): Registry {
  const reg = new Registry()
  const follows = new Map<string, Follow>()
  const broadcasts = new Map<string, () => void>()
  let nextBroadcast = 1

  const pinned = (sub: unknown, hash: unknown): { f: Follow; h: Uint8Array } | null => {
    const f = typeof sub === 'string' ? follows.get(sub) : undefined
    if (!f) return null
    const h = hashParam(hash)
    if (!f.pinned.has(toHex(h)) || !chain.header(h)) throw new RpcError(-32801, 'Invalid or unpinned block hash')
    return { f, h }
  }
  /** Runs `work` after the response is out; its failure becomes operationInaccessible (no peer) or operationError. */
  const operation = (f: Follow, work: (opId: string) => Promise<void>) => {
    const opId = `${f.nextOp++}`
    setTimeout(() => {
      work(opId).catch((e) => {
        if (e instanceof ChainAccessError) f.emit({ event: 'operationInaccessible', operationId: opId })
        else f.emit({ event: 'operationError', operationId: opId, error: (e as Error).message })
      })
    }, 0)
    return { result: 'started', operationId: opId }
  }

  reg
    .method('rpc_methods', () => ({ methods: reg.names() }))
    .method('system_name', () => 'sublight')
    .method('system_version', () => VERSION)
    .method('sudo_unstable_version', () => `sublight ${VERSION}`)
    .method('system_chain', () => spec.name)
    .method('system_chainType', () => spec.chainType)
    .method('system_properties', () => spec.properties ?? {})
    .method('system_nodeRoles', () => ['Light'])
    .method('system_localPeerId', () => chain.host.peerId)
    .method('system_health', () => ({ peers: chain.peerCount, isSyncing: !chain.isReady, shouldHavePeers: true }))
    .method('chainSpec_v1_chainName', () => spec.name)
    .method('chainSpec_v1_genesisHash', () => toHex(chain.genesisHash))
    .method('chainSpec_v1_properties', () => spec.properties ?? {})
    .subscription(
      'chainHead_v1_follow',
      'chainHead_v1_followEvent',
      'chainHead_v1_unfollow',
      ([withRuntime], emit, id, ctx) => {
        if (typeof withRuntime !== 'boolean') throw new RpcError(INVALID_PARAMS, 'withRuntime must be a boolean')
        let mine = 0
        for (const other of follows.values()) if (other.connectionId === ctx.connectionId) mine++
        if (mine >= MAX_FOLLOWS_PER_CONNECTION) throw new RpcError(-32800, 'Too many follow subscriptions on this connection')
        let unlisten = () => {}
        let live = true
        const f: Follow = {
          emit,
          pinned: new Set(),
          nextOp: 1,
          connectionId: ctx.connectionId,
          stop: () => {
            live = false
            unlisten()
            follows.delete(id)
          },
        }
        follows.set(id, f)
        const pin = (hash: Uint8Array): boolean => {
          f.pinned.add(toHex(hash))
          if (f.pinned.size <= MAX_PINNED) return true
          f.stop()
          emit({ event: 'stop' })
          ctx.endSubscription(id)
          return false
        }
        // events go out in order, each after the async work it needs (a new runtime's version)
        let queue: Promise<void> = Promise.resolve()
        const enqueue = (fn: () => Promise<void> | void) => {
          queue = queue.then(() => (live ? fn() : undefined)).catch((e) => {
            if (!live) return
            f.stop()
            emit({ event: 'stop' })
            ctx.endSubscription(id)
            void e
          })
        }
        const newBlock = (hash: Uint8Array) =>
          enqueue(async () => {
            const header = chain.header(hash)
            if (!header || !pin(hash)) return
            const changed = withRuntime && header.digest.some((d) => d.type === 'runtimeEnvironmentUpdated')
            const newRuntime = changed ? await chain.runtimeVersion(hash).then(runtimeSpecJson, (e: Error) => ({ type: 'invalid', error: e.message })) : null
            emit({ event: 'newBlock', blockHash: toHex(hash), parentBlockHash: toHex(header.parentHash), newRuntime })
          })
        const onEvent = (e: LightSyncEvent) => {
          if (e.kind === 'newBlock') newBlock(e.hash)
          else if (e.kind === 'bestChanged') enqueue(() => emit({ event: 'bestBlockChanged', bestBlockHash: toHex(e.hash) }))
          else enqueue(() => emit({ event: 'finalized', finalizedBlockHashes: e.hashes.map(toHex), prunedBlockHashes: e.pruned.map(toHex) }))
        }
        void chain.ready.then(() =>
          enqueue(async () => {
            const fin = chain.sync.finalized
            const runtime = withRuntime ? await chain.runtimeVersion(fin.hash).then(runtimeSpecJson, (e: Error) => ({ type: 'invalid', error: e.message })) : undefined
            if (!live) return
            pin(fin.hash)
            emit({ event: 'initialized', finalizedBlockHashes: [toHex(fin.hash)], ...(withRuntime ? { finalizedBlockRuntime: runtime } : {}) })
            for (const b of chain.sync.blocksAbove()) newBlock(b.hash)
            enqueue(() => emit({ event: 'bestBlockChanged', bestBlockHash: toHex(chain.sync.best.hash) }))
            unlisten = chain.onEvent(onEvent)
          }),
        )
        return () => f.stop()
      },
      'null',
    )
    .method('chainHead_v1_header', ([sub, hash]) => {
      const p = pinned(sub, hash)
      return p ? toHex(encodeHeader(chain.header(p.h)!)) : null
    })
    .method('chainHead_v1_body', ([sub, hash]) => {
      const p = pinned(sub, hash)
      if (!p) return { result: 'limitReached' }
      return operation(p.f, async (opId) => {
        const body = await chain.body(p.h)
        p.f.emit({ event: 'operationBodyDone', operationId: opId, value: body.map(toHex) })
      })
    })
    .method('chainHead_v1_call', ([sub, hash, fn, params]) => {
      if (typeof fn !== 'string') throw new RpcError(INVALID_PARAMS, 'function must be a string')
      const args = bytesParam(params ?? '0x', 'callParameters')
      const p = pinned(sub, hash)
      if (!p) return { result: 'limitReached' }
      return operation(p.f, async (opId) => {
        try {
          const output = await chain.call(p.h, fn, args)
          p.f.emit({ event: 'operationCallDone', operationId: opId, output: toHex(output) })
        } catch (e) {
          if (e instanceof ExecutorError) p.f.emit({ event: 'operationError', operationId: opId, error: e.message })
          else throw e
        }
      })
    })
    .method('chainHead_v1_storage', ([sub, hash, items, childTrie]) => {
      if (!Array.isArray(items) || items.length > 1024) throw new RpcError(INVALID_PARAMS, 'items must be an array of at most 1024')
      if (childTrie !== undefined && childTrie !== null) throw new RpcError(INVALID_PARAMS, 'child tries are not supported by the light client yet')
      const queries = items.map((it) => {
        const q = it as { key?: unknown; type?: unknown }
        if (typeof q !== 'object' || q === null || !['value', 'hash', 'closestDescendantMerkleValue', 'descendantsValues', 'descendantsHashes'].includes(q.type as string)) throw new RpcError(INVALID_PARAMS, 'each item needs a key and a valid type')
        return { key: bytesParam(q.key, 'key'), type: q.type as string }
      })
      const p = pinned(sub, hash)
      if (!p) return { result: 'limitReached' }
      const direct = queries.filter((q) => q.type === 'value' || q.type === 'hash' || q.type === 'closestDescendantMerkleValue')
      const walks = queries.filter((q) => q.type === 'descendantsValues' || q.type === 'descendantsHashes')
      const started = operation(p.f, async (opId) => {
        const proof = direct.length ? await chain.readProof(p.h, direct.map((q) => q.key)) : undefined
        const out: Record<string, string>[] = []
        for (const q of direct) {
          if (q.type === 'closestDescendantMerkleValue') {
            const m = proof!.closestDescendantMerkleValue(q.key)
            if (m.kind === 'found') out.push({ key: toHex(q.key), closestDescendantMerkleValue: toHex(m.merkleValue) })
            continue
          }
          const v = proof!.get(q.key)
          if (v.kind === 'value') out.push({ key: toHex(q.key), [q.type]: toHex(q.type === 'value' ? v.value : blake2_256(v.value)) })
        }
        for (const q of walks) {
          const field = q.type === 'descendantsHashes' ? 'hash' : 'value'
          for (const [key, value] of await chain.descendants(p.h, q.key)) out.push({ key: toHex(key), [field]: toHex(field === 'hash' ? blake2_256(value) : value) })
        }
        for (let i = 0; i < out.length; i += 1024) p.f.emit({ event: 'operationStorageItems', operationId: opId, items: out.slice(i, i + 1024) })
        p.f.emit({ event: 'operationStorageDone', operationId: opId })
      })
      return { ...started, discardedItems: 0 }
    })
    .method('chainHead_v1_continue', () => {
      throw new RpcError(INVALID_PARAMS, 'Invalid operation id, or the operation is not waiting for continue')
    })
    .method('chainHead_v1_stopOperation', () => null)
    .subscription(
      'transactionWatch_v1_submitAndWatch',
      'transactionWatch_v1_watchEvent',
      'transactionWatch_v1_unwatch',
      ([tx], emit) => transactions.submit(bytesParam(tx, 'transaction'), emit),
      'nullOrError',
    )
    .method('transaction_v1_broadcast', ([tx]) => {
      if (broadcasts.size >= 256) return null // overloaded: the spec allows null
      const id = `${nextBroadcast++}`
      const stop = transactions.submit(bytesParam(tx, 'transaction'), (e) => {
        if (e.event === 'finalized' || e.event === 'invalid' || e.event === 'dropped' || e.event === 'error') broadcasts.delete(id)
      })
      broadcasts.set(id, stop)
      return id
    })
    .method('transaction_v1_stop', ([id]) => {
      const stop = typeof id === 'string' ? broadcasts.get(id) : undefined
      if (!stop) throw new RpcError(INVALID_PARAMS, 'Invalid operation id')
      stop()
      broadcasts.delete(id as string)
      return null
    })
    .method('chainHead_v1_unpin', ([sub, hashes]) => {
      const f = typeof sub === 'string' ? follows.get(sub) : undefined
      if (!f) return null
      const keys = (Array.isArray(hashes) ? hashes : [hashes]).map((h) => toHex(hashParam(h)))
      if (keys.some((k) => !f.pinned.has(k))) throw new RpcError(-32801, 'Invalid or unpinned block hash')
      if (new Set(keys).size !== keys.length) throw new RpcError(-32804, 'Duplicate block hash')
      for (const k of keys) f.pinned.delete(k)
      return null
    })
  return reg
}
