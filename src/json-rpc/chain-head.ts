// The new JSON-RPC spec's `chainHead_v1_*` and `chainSpec_v1_*` families
// (https://paritytech.github.io/json-rpc-interface-spec/) over any `ChainAccess`: the node's database
// and the light client's network view are served by this one implementation.
//
// A follow subscription reports initialized, newBlock (with newRuntime), bestBlockChanged and finalized
// events in order, and pins every block it reports until unpinned (too many pinned → `stop`). Header
// requests answer at once; body, call and storage are operations whose results arrive as events on the
// follow subscription; an operation nobody could answer is `operationInaccessible`, a runtime's own
// failure `operationError`. Storage results come in pages: after each page with more to come the
// operation waits for `chainHead_v1_continue` (`operationWaitingForContinue`), so a large descendants
// query never runs in one go and a client that stops reading stops the work; `stopOperation` ends it.
// Nothing here waits for the chain before answering: a follow gets its id at once and `initialized`
// once the chain is ready.

import { bytesEqual, fromHex, toHex } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { encodeHeader } from '../header/index.ts'
import { ChainAccessError, type ChainAccess, type ChainEvent } from './chain-access.ts'
import { INVALID_PARAMS, RpcError, type Registry } from './dispatcher.ts'
import { bytesParam, hashParam, runtimeSpecJson } from './params.ts'
import { nextTurn } from '../platform/next-turn.ts'

/**
 * Finalized (or pruned) blocks one follow may hold pinned before the server stops it (the spec asks for
 * at least 32 and advises counting these: the non-finalized ones are bounded by the chain's fork tree, and
 * counting them would stop every follow at once during a long finality stall).
 */
export const MAX_PINNED_BLOCKS = 512
/** Follow subscriptions one connection may hold at once (the spec guarantees at least 2). */
export const MAX_FOLLOWS_PER_CONNECTION = 16
/** Items one storage request may ask for. */
const MAX_STORAGE_ITEMS = 1024
/** Operations in progress per follow subscription (more answer `limitReached`). */
const MAX_OPERATIONS = 16
/** How often a follow waiting for a block's runtime asks again, and how many times for a new block's. */
const RUNTIME_RETRY_MS = 2_000
const RUNTIME_TRIES = 15
const STORAGE_TYPES = ['value', 'hash', 'closestDescendantMerkleValue', 'descendantsValues', 'descendantsHashes']

export interface ChainHeadLimits {
  /** Storage items per `operationStorageItems` page before the operation waits for `continue` (default 1024). */
  storageItemsPerPage?: number
  maxFollowsPerConnection?: number
}

/** What `chainSpec_v1_*` reports. */
export interface ChainSpecInfo {
  name: string
  properties?: Record<string, unknown>
}

interface Operation {
  /** Set while the operation waits for `chainHead_v1_continue`. */
  resume: (() => void) | undefined
  stopped: boolean
  stop(): void
}

interface Follow {
  emit: (e: unknown) => void
  /** `chainHead_v1_follow(withRuntime)`: without it, no runtime is reported and calls are refused. */
  withRuntime: boolean
  pinned: Set<string>
  /** Blocks reported (newBlock) and not yet finalized or pruned. */
  above: Set<string>
  /** Pinned blocks finalized or pruned: what MAX_PINNED_BLOCKS bounds. */
  pinnedBelow: number
  /** The last finalized and best blocks this follow reported (hex). */
  finalized: string
  best: string
  nextOp: number
  connectionId: number
  operations: Map<string, Operation>
  stop: () => void
}

interface StorageQuery {
  key: Uint8Array
  type: string
}

/** The results of a storage request, item by item (descendants walked lazily). */
async function* storageResults(chain: ChainAccess, hash: Uint8Array, queries: StorageQuery[], child: Uint8Array | undefined): AsyncGenerator<Record<string, string>> {
  const direct = queries.filter((q) => q.type === 'value' || q.type === 'hash')
  const values = direct.length ? await chain.storage(hash, direct.map((q) => q.key), child) : []
  for (const [i, q] of direct.entries()) {
    const v = values[i]
    if (v !== undefined) yield { key: toHex(q.key), [q.type]: toHex(q.type === 'value' ? v : blake2_256(v)) }
  }
  for (const q of queries) {
    if (q.type === 'closestDescendantMerkleValue') {
      const m = await chain.closestDescendantMerkleValue(hash, q.key, child)
      if (m) yield { key: toHex(q.key), closestDescendantMerkleValue: toHex(m) }
    } else if (q.type === 'descendantsValues' || q.type === 'descendantsHashes') {
      const field = q.type === 'descendantsHashes' ? 'hash' : 'value'
      for await (const [k, v] of chain.descendants(hash, q.key, child)) yield { key: toHex(k), [field]: toHex(field === 'hash' ? blake2_256(v) : v) }
    }
  }
}

export function chainHeadRpc(reg: Registry, chain: ChainAccess, spec: ChainSpecInfo, limits: ChainHeadLimits = {}): Registry {
  const follows = new Map<string, Follow>()
  const perPage = limits.storageItemsPerPage ?? 1024
  const maxFollows = limits.maxFollowsPerConnection ?? MAX_FOLLOWS_PER_CONNECTION
  /** The spec's runtime description; a runtime nobody could provide yet is a ChainAccessError (rethrown). */
  const runtimeJson = (hash: Uint8Array) =>
    chain.runtimeVersion(hash).then(runtimeSpecJson, (e: Error) => {
      if (e instanceof ChainAccessError) throw e
      return { type: 'invalid', error: e.message }
    })

  /** The follow subscription and a block it has pinned; null when the subscription is unknown. */
  const pinned = (sub: unknown, hash: unknown): { f: Follow; h: Uint8Array } | null => {
    const f = typeof sub === 'string' ? follows.get(sub) : undefined
    if (!f) return null
    const h = hashParam(hash)
    if (!f.pinned.has(toHex(h)) || !chain.header(h)) throw new RpcError(-32801, 'Invalid or unpinned block hash')
    return { f, h }
  }

  /**
   * Starts an operation: answers with its id and runs `work` after the response has gone out. A failure
   * nobody could answer becomes operationInaccessible, any other operationError.
   */
  const operation = (f: Follow, work: (opId: string, op: Operation) => Promise<void>, extra: Record<string, unknown> = {}) => {
    if (f.operations.size >= MAX_OPERATIONS) return { result: 'limitReached' }
    const opId = `${f.nextOp++}`
    const op: Operation = {
      resume: undefined,
      stopped: false,
      stop: () => {
        op.stopped = true
        f.operations.delete(opId)
        op.resume?.()
      },
    }
    f.operations.set(opId, op)
    nextTurn(() => {
      work(opId, op)
        .catch((e) => {
          if (op.stopped) return
          if (e instanceof ChainAccessError) f.emit({ event: 'operationInaccessible', operationId: opId })
          else f.emit({ event: 'operationError', operationId: opId, error: (e as Error).message })
        })
        .finally(() => f.operations.delete(opId))
    })
    return { result: 'started', operationId: opId, ...extra }
  }

  reg
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
        if (mine >= maxFollows) throw new RpcError(-32800, 'Too many follow subscriptions on this connection')
        let unlisten = () => {}
        let live = true
        const f: Follow = {
          emit,
          withRuntime,
          pinned: new Set(),
          above: new Set(),
          pinnedBelow: 0,
          finalized: '',
          best: '',
          nextOp: 1,
          connectionId: ctx.connectionId,
          operations: new Map(),
          stop: () => {
            live = false
            unlisten()
            for (const op of [...f.operations.values()]) op.stop()
            for (const k of f.pinned) chain.unpin?.(fromHex(k))
            f.pinned.clear()
            follows.delete(id)
          },
        }
        follows.set(id, f)
        /** Ends the subscription from our side (too many pinned blocks, or an internal failure). */
        const stopFollow = () => {
          if (!live) return
          f.stop()
          emit({ event: 'stop' })
          ctx.endSubscription(id)
        }
        /** Counts pinned blocks that became finalized or pruned; too many (the client does not unpin) stops the follow, as the spec says. */
        const countBelow = (n: number): boolean => {
          f.pinnedBelow += n
          if (f.pinnedBelow <= MAX_PINNED_BLOCKS) return true
          stopFollow()
          return false
        }
        const pin = (hash: Uint8Array, final: boolean): boolean => {
          const k = toHex(hash)
          if (f.pinned.has(k)) return true
          f.pinned.add(k)
          chain.pin?.(hash)
          if (final) return countBelow(1)
          f.above.add(k)
          return true
        }
        const bestChanged = (k: string) => {
          f.best = k
          emit({ event: 'bestBlockChanged', bestBlockHash: k })
        }
        // events go out in order, each after the async work it needs (a new runtime's version); a client
        // that is not reading gets `stop` rather than an ever longer queue
        let queue: Promise<void> = Promise.resolve()
        const enqueue = (fn: () => Promise<void> | void) => {
          queue = queue.then(() => (!live ? undefined : ctx.lagging() ? stopFollow() : fn())).catch(stopFollow)
        }
        const newBlock = (hash: Uint8Array) =>
          enqueue(async () => {
            const header = chain.header(hash)
            if (!header || !pin(hash, false)) return
            // the spec: `newRuntime` only on follows that asked for runtimes (absent otherwise); `invalid` only
            // for a runtime that does not compile or run — one nobody could provide yet is waited for (the
            // block is not reported before its runtime is known), and past RUNTIME_TRIES the follow stops
            let newRuntime: unknown = null
            if (withRuntime && chain.runtimeChanged(hash))
              for (let tries = 1; ; tries++) {
                try {
                  newRuntime = await runtimeJson(hash)
                  break
                } catch (e) {
                  if (!(e instanceof ChainAccessError) || tries >= RUNTIME_TRIES) throw e
                  await new Promise((r) => setTimeout(r, RUNTIME_RETRY_MS))
                  if (!live) return
                }
              }
            if (live) emit({ event: 'newBlock', blockHash: toHex(hash), parentBlockHash: toHex(header.parentHash), ...(withRuntime ? { newRuntime } : {}) })
          })
        const onEvent = (e: ChainEvent) => {
          if (e.kind === 'newBlock') newBlock(e.hash)
          else if (e.kind === 'bestChanged')
            enqueue(() => {
              const k = toHex(e.hash)
              // only a block this follow reported can be its best
              if (k !== f.best && (f.above.has(k) || k === f.finalized)) bestChanged(k)
            })
          else if (e.kind === 'finalized')
            enqueue(() => {
              // only blocks this follow was told of are mentioned
              const fin = e.hashes.map(toHex).filter((k) => f.above.has(k))
              const pruned = e.pruned.map(toHex).filter((k) => f.above.has(k))
              if (!fin.length && !pruned.length) return
              const last = fin.at(-1) ?? f.finalized
              // the spec: the current best is the new finalized block or in neither list
              if (f.best !== last && (fin.includes(f.best) || pruned.includes(f.best))) bestChanged(last)
              let nowBelow = 0
              for (const k of [...fin, ...pruned]) {
                f.above.delete(k)
                if (f.pinned.has(k)) nowBelow++
              }
              f.finalized = last
              emit({ event: 'finalized', finalizedBlockHashes: fin, prunedBlockHashes: pruned })
              countBelow(nowBelow)
            })
          // the chain jumped (a warp): this follow cannot go on; the client follows again
          else stopFollow()
        }
        // the first events once the client has the subscription id (the response goes out first)
        const begin = () =>
          enqueue(async () => {
            // the finalized block may move while its runtime is fetched: report the one that is still final
            let fin = chain.finalized()
            let runtime: unknown
            for (;;) {
              try {
                runtime = withRuntime ? await runtimeJson(fin.hash) : undefined
              } catch (e) {
                // the runtime is not known yet (no peer could prove it): initialized waits for it
                if (!(e instanceof ChainAccessError)) throw e
                await new Promise((r) => setTimeout(r, RUNTIME_RETRY_MS))
                if (!live) return
                fin = chain.finalized()
                continue
              }
              if (!live) return
              const now = chain.finalized()
              if (bytesEqual(now.hash, fin.hash)) break
              fin = now
            }
            pin(fin.hash, true)
            f.finalized = f.best = toHex(fin.hash)
            emit({ event: 'initialized', finalizedBlockHashes: [f.finalized], ...(withRuntime ? { finalizedBlockRuntime: runtime } : {}) })
            for (const b of chain.blocksAbove()) newBlock(b.hash)
            const best = toHex(chain.best().hash)
            enqueue(() => bestChanged(f.above.has(best) ? best : f.finalized))
            unlisten = chain.onEvent(onEvent)
          })
        nextTurn(() => void chain.ready.then(begin))
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
      return operation(p.f, async (opId, op) => {
        const body = await chain.body(p.h)
        if (!op.stopped) p.f.emit({ event: 'operationBodyDone', operationId: opId, value: body.map(toHex) })
      })
    })
    .method('chainHead_v1_call', ([sub, hash, fn, params]) => {
      if (typeof fn !== 'string') throw new RpcError(INVALID_PARAMS, 'function must be a string')
      const args = bytesParam(params ?? '0x', 'callParameters')
      const p = pinned(sub, hash)
      if (!p) return { result: 'limitReached' }
      if (!p.f.withRuntime) throw new RpcError(-32802, 'chainHead_v1_call needs a follow started with withRuntime: true')
      return operation(p.f, async (opId, op) => {
        const output = await chain.call(p.h, fn, args)
        if (!op.stopped) p.f.emit({ event: 'operationCallDone', operationId: opId, output: toHex(output) })
      })
    })
    .method('chainHead_v1_storage', ([sub, hash, items, childTrie]) => {
      if (!Array.isArray(items) || items.length > MAX_STORAGE_ITEMS) throw new RpcError(INVALID_PARAMS, `items must be an array of at most ${MAX_STORAGE_ITEMS}`)
      const queries = items.map((it): StorageQuery => {
        const q = it as { key?: unknown; type?: unknown }
        if (typeof q !== 'object' || q === null || !STORAGE_TYPES.includes(q.type as string)) throw new RpcError(INVALID_PARAMS, 'each item needs a key and a valid type')
        return { key: bytesParam(q.key, 'key'), type: q.type as string }
      })
      const child = childTrie === undefined || childTrie === null ? undefined : bytesParam(childTrie, 'childTrie')
      const p = pinned(sub, hash)
      if (!p) return { result: 'limitReached' }
      const { f, h } = p
      return operation(
        f,
        async (opId, op) => {
          const results = storageResults(chain, h, queries, child)
          try {
            let next = await results.next()
            while (!next.done) {
              const page: Record<string, string>[] = []
              while (!next.done && page.length < perPage) {
                page.push(next.value)
                next = await results.next()
                if (op.stopped) return
              }
              f.emit({ event: 'operationStorageItems', operationId: opId, items: page })
              if (!next.done) {
                f.emit({ event: 'operationWaitingForContinue', operationId: opId })
                await new Promise<void>((resolve) => (op.resume = resolve))
                op.resume = undefined
                if (op.stopped) return
              }
            }
            f.emit({ event: 'operationStorageDone', operationId: opId })
          } finally {
            await results.return(undefined)
          }
        },
        { discardedItems: 0 },
      )
    })
    .method('chainHead_v1_continue', ([sub, opId]) => {
      const f = typeof sub === 'string' ? follows.get(sub) : undefined
      if (!f) return null
      const op = typeof opId === 'string' ? f.operations.get(opId) : undefined
      // the spec: an unknown (or finished) operation is no error; one that is not waiting is -32803
      if (!op) return null
      if (!op.resume) throw new RpcError(-32803, 'the operation is not waiting for chainHead_v1_continue')
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
      const keys = (Array.isArray(hashes) ? hashes : [hashes]).map((h) => toHex(hashParam(h)))
      if (keys.some((k) => !f.pinned.has(k))) throw new RpcError(-32801, 'Invalid or unpinned block hash')
      if (new Set(keys).size !== keys.length) throw new RpcError(-32804, 'Duplicate block hash')
      for (const k of keys) {
        f.pinned.delete(k)
        if (!f.above.has(k)) f.pinnedBelow--
        chain.unpin?.(fromHex(k))
      }
      return null
    })
  return reg
}
