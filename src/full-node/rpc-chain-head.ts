// The new JSON-RPC spec's `chainHead_v1_*` and `chainSpec_v1_*` families over the node's chain
// (https://paritytech.github.io/json-rpc-interface-spec/): a follow subscription reports initialized,
// newBlock, bestBlockChanged and finalized events and pins every block it reports until unpinned;
// header, body, storage and call requests work on pinned blocks, the last three as operations whose
// results arrive as events on the follow subscription. Storage results come in pages: after each page
// with more to come the operation waits for `chainHead_v1_continue` (`operationWaitingForContinue`), so
// a large descendants query never runs in one tick and a client that stops reading stops the work;
// `chainHead_v1_stopOperation` ends it. Follow subscriptions are limited per connection, as the spec's
// guarantees are.

import { toHex, utf8, startsWith } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { ExecutorError, MissingStorageError, decodeRuntimeVersion, type MemoryStorage } from '../executor/index.ts'
import { encodeHeader } from '../header/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { INVALID_PARAMS, RpcError, bytesParam, hashParam, runtimeSpecJson, type Registry } from '../json-rpc/index.ts'
import type { ChainBlock, DevChain } from './dev-chain.ts'
import { runtimeAt } from './runtime-apis.ts'

/** Blocks one follow subscription may hold pinned before the server stops it (the spec asks for at least 32). */
export const MAX_PINNED_BLOCKS = 512
/** Follow subscriptions one connection may hold at once (the spec guarantees at least 2). */
export const MAX_FOLLOWS_PER_CONNECTION = 16
/** Items one storage request may ask for. */
const MAX_STORAGE_ITEMS = 1024
/** Storage operations in progress per follow subscription (more answer `limitReached`). */
const MAX_OPERATIONS = 16

export interface ChainHeadLimits {
  /** Storage items per `operationStorageItems` page before the operation waits for `continue` (default 1024). */
  storageItemsPerPage?: number
  maxFollowsPerConnection?: number
}

interface Operation {
  /** Set while the operation waits for `chainHead_v1_continue`. */
  resume: (() => void) | undefined
  stop(): void
}

interface Follow {
  emit: (e: unknown) => void
  pinned: Set<string>
  withRuntime: boolean
  nextOp: number
  connectionId: number
  operations: Map<string, Operation>
  stop: () => void
}

const CODE = utf8(':code')

/** The spec's runtime description of the runtime in `state`. */
function runtimeSpec(state: MemoryStorage): unknown {
  try {
    return runtimeSpecJson(decodeRuntimeVersion(runtimeAt(state).call('Core_version', new Uint8Array(), { storage: state }).output))
  } catch (e) {
    return { type: 'invalid', error: (e as Error).message }
  }
}

function sameCode(a: MemoryStorage | undefined, b: MemoryStorage | undefined): boolean {
  const x = a?.get(CODE)
  const y = b?.get(CODE)
  if (!x || !y) return x === y
  return x === y || toHex(blake2_256(x)) === toHex(blake2_256(y))
}

/** The results of a storage request, item by item (descendants walked lazily, one key at a time). */
function* storageResults(state: MemoryStorage, queries: { key: Uint8Array; type: string }[], child: Uint8Array | undefined, merkleValue: (key: Uint8Array) => Uint8Array | undefined): Generator<Record<string, string>> {
  const get = (k: Uint8Array) => (child ? state.childGet(child, k) : state.get(k))
  const next = (k: Uint8Array) => (child ? state.childNextKey(child, k) : state.nextKey(k))
  for (const q of queries) {
    if (q.type === 'value' || q.type === 'hash') {
      const v = get(q.key)
      if (v !== undefined) yield { key: toHex(q.key), [q.type]: toHex(q.type === 'value' ? v : blake2_256(v)) }
    } else if (q.type === 'closestDescendantMerkleValue') {
      const m = merkleValue(q.key)
      if (m) yield { key: toHex(q.key), closestDescendantMerkleValue: toHex(m) }
    } else {
      const field = q.type === 'descendantsHashes' ? 'hash' : 'value'
      const item = (k: Uint8Array, v: Uint8Array) => ({ key: toHex(k), [field]: toHex(field === 'hash' ? blake2_256(v) : v) })
      const first = get(q.key)
      if (first !== undefined) yield item(q.key, first)
      for (let k = next(q.key); k !== undefined && startsWith(k, q.key); k = next(k)) yield item(k, get(k)!)
    }
  }
}

export function chainHeadRpc(reg: Registry, chain: DevChain, spec: ChainSpec, limits: ChainHeadLimits = {}): Registry {
  const follows = new Map<string, Follow>()
  const perPage = limits.storageItemsPerPage ?? 1024
  const maxFollows = limits.maxFollowsPerConnection ?? MAX_FOLLOWS_PER_CONNECTION

  /** The follow subscription and a block it has pinned; null when the subscription is unknown. */
  const pinnedBlock = (sub: unknown, hash: unknown): { f: Follow; b: ChainBlock } | null => {
    const f = typeof sub === 'string' ? follows.get(sub) : undefined
    if (!f) return null
    const h = hashParam(hash)
    const b = chain.block(h)
    if (!b || !f.pinned.has(toHex(h))) throw new RpcError(-32801, 'Invalid or unpinned block hash')
    return { f, b }
  }

  /** Starts an operation: returns its id and runs `work` after the response has gone out. */
  const operation = (f: Follow, b: ChainBlock, work: (state: MemoryStorage, opId: string) => void) => {
    const opId = `${f.nextOp++}`
    setTimeout(() => {
      if (!b.state) f.emit({ event: 'operationInaccessible', operationId: opId })
      else work(b.state, opId)
    }, 0)
    return opId
  }

  reg
    .method('chainSpec_v1_chainName', () => spec.name)
    .method('chainSpec_v1_genesisHash', () => toHex(chain.genesisHash))
    .method('chainSpec_v1_properties', () => spec.properties ?? {})
    .subscription('chainHead_v1_follow', 'chainHead_v1_followEvent', 'chainHead_v1_unfollow', ([withRuntime], emit, id, ctx) => {
      if (typeof withRuntime !== 'boolean') throw new RpcError(INVALID_PARAMS, 'withRuntime must be a boolean')
      let mine = 0
      for (const other of follows.values()) if (other.connectionId === ctx.connectionId) mine++
      if (mine >= maxFollows) throw new RpcError(-32800, 'Too many follow subscriptions on this connection')
      let unlisten = () => {}
      const f: Follow = {
        emit,
        pinned: new Set(),
        withRuntime,
        nextOp: 1,
        connectionId: ctx.connectionId,
        operations: new Map(),
        stop: () => {
          unlisten()
          for (const op of f.operations.values()) op.stop()
          follows.delete(id)
        },
      }
      follows.set(id, f)
      const pin = (hash: Uint8Array): boolean => {
        f.pinned.add(toHex(hash))
        if (f.pinned.size <= MAX_PINNED_BLOCKS) return true
        // the client does not unpin: the spec's answer is to stop the subscription
        f.stop()
        emit({ event: 'stop' })
        ctx.endSubscription(id)
        return false
      }
      const newBlock = (b: ChainBlock) => {
        if (!pin(b.hash)) return false
        const parent = chain.block(b.header.parentHash)
        const changed = withRuntime && b.state && !sameCode(parent?.state, b.state)
        emit({ event: 'newBlock', blockHash: toHex(b.hash), parentBlockHash: toHex(b.header.parentHash), newRuntime: changed ? runtimeSpec(b.state!) : null })
        return true
      }
      let finalizedNumber = chain.finalized().number
      // the first events once the client has the subscription id: the finalized block, then the blocks above it
      setTimeout(() => {
        if (!follows.has(id)) return
        const fin = chain.blockAt(finalizedNumber)!
        pin(fin.hash)
        emit({ event: 'initialized', finalizedBlockHashes: [toHex(fin.hash)], ...(withRuntime ? { finalizedBlockRuntime: runtimeSpec(fin.state!) } : {}) })
        const best = chain.bestBlock.header.number
        for (let n = finalizedNumber + 1; n <= best; n++) if (!newBlock(chain.blockAt(n)!)) return
        emit({ event: 'bestBlockChanged', bestBlockHash: toHex(chain.bestBlock.hash) })
        unlisten = chain.onEvent((e) => {
          if (e.kind === 'block') {
            if (newBlock(chain.block(e.hash)!)) emit({ event: 'bestBlockChanged', bestBlockHash: toHex(e.hash) })
          } else {
            const hashes: string[] = []
            for (let n = finalizedNumber + 1; n <= e.header.number; n++) hashes.push(toHex(chain.blockAt(n)!.hash))
            finalizedNumber = e.header.number
            emit({ event: 'finalized', finalizedBlockHashes: hashes, prunedBlockHashes: [] })
          }
        })
      }, 0)
      return () => f.stop()
    }, 'null')
    .method('chainHead_v1_header', ([sub, hash]) => {
      const p = pinnedBlock(sub, hash)
      return p ? toHex(encodeHeader(p.b.header)) : null
    })
    .method('chainHead_v1_body', ([sub, hash]) => {
      const p = pinnedBlock(sub, hash)
      if (!p) return { result: 'limitReached' }
      const opId = `${p.f.nextOp++}`
      setTimeout(() => p.f.emit({ event: 'operationBodyDone', operationId: opId, value: p.b.body.map(toHex) }), 0)
      return { result: 'started', operationId: opId }
    })
    .method('chainHead_v1_call', ([sub, hash, fn, params]) => {
      if (typeof fn !== 'string') throw new RpcError(INVALID_PARAMS, 'function must be a string')
      const args = bytesParam(params ?? '0x', 'callParameters')
      const p = pinnedBlock(sub, hash)
      if (!p) return { result: 'limitReached' }
      const opId = operation(p.f, p.b, (state, id) => {
        try {
          const output = runtimeAt(state).call(fn, args, { storage: state }).output
          p.f.emit({ event: 'operationCallDone', operationId: id, output: toHex(output) })
        } catch (e) {
          if (e instanceof ExecutorError || e instanceof MissingStorageError || e instanceof Error) p.f.emit({ event: 'operationError', operationId: id, error: e.message })
        }
      })
      return { result: 'started', operationId: opId }
    })
    .method('chainHead_v1_storage', ([sub, hash, items, childTrie]) => {
      if (!Array.isArray(items) || items.length > MAX_STORAGE_ITEMS) throw new RpcError(INVALID_PARAMS, `items must be an array of at most ${MAX_STORAGE_ITEMS}`)
      const queries = items.map((it) => {
        const q = it as { key?: unknown; type?: unknown }
        if (typeof q !== 'object' || q === null || !['value', 'hash', 'closestDescendantMerkleValue', 'descendantsValues', 'descendantsHashes'].includes(q.type as string)) throw new RpcError(INVALID_PARAMS, 'each item needs a key and a valid type')
        return { key: bytesParam(q.key, 'key'), type: q.type as string }
      })
      const child = childTrie === undefined || childTrie === null ? undefined : bytesParam(childTrie, 'childTrie')
      const p = pinnedBlock(sub, hash)
      if (!p || p.f.operations.size >= MAX_OPERATIONS) return { result: 'limitReached' }
      const f = p.f
      const opId = `${f.nextOp++}`
      const state = p.b.state
      let stopped = false
      const op: Operation = {
        resume: undefined,
        stop: () => {
          stopped = true
          f.operations.delete(opId)
        },
      }
      f.operations.set(opId, op)
      const results = state ? storageResults(state, queries, child, (key) => chain.closestDescendantMerkleValue(p.b.hash, key, child)) : undefined
      let lookahead: IteratorResult<Record<string, string>> | undefined
      // one page per tick: up to `perPage` items, then wait for `continue` if more remain
      const page = () => {
        if (stopped || !follows.has(sub as string)) return
        if (!results) {
          op.stop()
          f.emit({ event: 'operationInaccessible', operationId: opId })
          return
        }
        try {
          const items: Record<string, string>[] = []
          lookahead ??= results.next()
          while (!lookahead.done && items.length < perPage) {
            items.push(lookahead.value)
            lookahead = results.next()
          }
          if (items.length) f.emit({ event: 'operationStorageItems', operationId: opId, items })
          if (lookahead.done) {
            op.stop()
            f.emit({ event: 'operationStorageDone', operationId: opId })
          } else {
            op.resume = () => {
              op.resume = undefined
              setTimeout(page, 0)
            }
            f.emit({ event: 'operationWaitingForContinue', operationId: opId })
          }
        } catch (e) {
          op.stop()
          f.emit({ event: 'operationError', operationId: opId, error: (e as Error).message })
        }
      }
      setTimeout(page, 0)
      return { result: 'started', operationId: opId, discardedItems: 0 }
    })
    .method('chainHead_v1_continue', ([sub, opId]) => {
      const f = typeof sub === 'string' ? follows.get(sub) : undefined
      if (!f) return null
      const op = typeof opId === 'string' ? f.operations.get(opId) : undefined
      if (!op?.resume) throw new RpcError(INVALID_PARAMS, 'Invalid operation id, or the operation is not waiting for continue')
      op.resume()
      return null
    })
    .method('chainHead_v1_stopOperation', ([sub, opId]) => {
      const f = typeof sub === 'string' ? follows.get(sub) : undefined
      if (f && typeof opId === 'string') f.operations.get(opId)?.stop()
      return null
    })
    .method('chainHead_v1_unpin', ([sub, hashes]) => {
      const f = typeof sub === 'string' ? follows.get(sub) : undefined
      if (!f) return null
      const list = Array.isArray(hashes) ? hashes : [hashes]
      const keys = list.map((h) => toHex(hashParam(h)))
      if (keys.some((k) => !f.pinned.has(k))) throw new RpcError(-32801, 'Invalid or unpinned block hash')
      if (new Set(keys).size !== keys.length) throw new RpcError(-32804, 'Duplicate block hash')
      for (const k of keys) f.pinned.delete(k)
      return null
    })
  return reg
}

