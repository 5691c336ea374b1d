// The legacy JSON-RPC methods a Substrate node answers (what @polkadot/api, api-sidecar and most wallets
// speak), over any `ChainAccess`: `chain_*` (hashes, headers, blocks, head subscriptions), `state_*`
// (storage, keys, pairs, read proofs, calls, metadata, runtime version, storage and runtime-version
// subscriptions) and `childstate_*`, with Substrate's result shapes and old aliases. The node serves them
// from its database, the light client from peers' proofs; either way a block the chain does not know
// (or no longer has the state of) is a -32000 error naming it, never silence.
//
// Substrate conventions kept: an unknown hash in `chain_getHeader`/`chain_getBlock` is `null`; the block
// parameter defaults to the best block; head subscriptions send the current head first; child tries are
// named by their prefixed key (`:child_storage:default:` ++ key).

import { Reader, Writer, bytesEqual, compareBytes, startsWith, toHex, utf8 } from '../codec/index.ts'
import { blake2_64, blake2_256 } from '../crypto/index.ts'
import { ExecutorError, MissingStorageError, type RuntimeVersion } from '../executor/index.ts'
import { writeDigestItem, type Header } from '../header/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX } from '../trie/index.ts'
import { ChainAccessError, type ChainAccess, type ChainEvent } from './chain-access.ts'
import { INVALID_PARAMS, RpcError, type Registry } from './dispatcher.ts'
import { bytesParam, txParam } from './params.ts'

/** Most keys one `state_getKeysPaged` answers (Substrate's limit). */
const MAX_KEYS_PAGE = 1000
/** Most keys `state_getKeys` / `state_getPairs` answer before refusing (they are unbounded in Substrate). */
const MAX_UNPAGED_KEYS = 100_000
const GRANDPA_ENGINE_ID = [...new TextEncoder().encode('FRNK')]

/** Substrate's JSON form of a header: numbers as hex, digest items as SCALE hex. */
export function headerJson(h: Header) {
  const logs = h.digest.map((d) => {
    const w = new Writer(64)
    writeDigestItem(w, d)
    return toHex(w.finish())
  })
  return { parentHash: toHex(h.parentHash), number: `0x${h.number.toString(16)}`, stateRoot: toHex(h.stateRoot), extrinsicsRoot: toHex(h.extrinsicsRoot), digest: { logs } }
}

/** Substrate's JSON form of a runtime version (`state_getRuntimeVersion`). */
export function runtimeVersionJson(v: RuntimeVersion) {
  return { specName: v.specName, implName: v.implName, authoringVersion: v.authoringVersion, specVersion: v.specVersion, implVersion: v.implVersion, apis: v.apis.map(([id, n]) => [toHex(id), n]), transactionVersion: v.transactionVersion ?? 0, stateVersion: v.stateVersion ?? 0 }
}

const hash32 = (v: unknown) => {
  const b = bytesParam(v, 'block hash')
  if (b.length !== 32) throw new RpcError(INVALID_PARAMS, 'block hash must be 32 bytes')
  return b
}
const hexOrNull = (v: Uint8Array | undefined) => (v === undefined ? null : toHex(v))

/** A child trie parameter: the prefixed key of a default child trie, as Substrate takes it. */
function childParam(v: unknown): Uint8Array {
  const k = bytesParam(v, 'child storage key')
  if (!startsWith(k, CHILD_STORAGE_DEFAULT_PREFIX)) throw new RpcError(INVALID_PARAMS, 'child storage key must start with :child_storage:default:')
  return k.subarray(CHILD_STORAGE_DEFAULT_PREFIX.length)
}

/** Runs `work`, turning "nobody could answer" and a runtime's failure into JSON-RPC errors. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (e) {
    if (e instanceof ChainAccessError) throw new RpcError(-32000, e.message)
    if (e instanceof ExecutorError || e instanceof MissingStorageError) throw new RpcError(-32000, `runtime call failed: ${e.message}`)
    throw e
  }
}

const DISPATCH_CLASSES = ['normal', 'operational', 'mandatory']

/** `system_health.shouldHavePeers`, by smoldot's and Substrate's rule: a Local or Live chain has a network; a Development or custom one may run alone. */
export function shouldHavePeers(chainType: string): boolean {
  return chainType === 'Local' || chainType === 'Live'
}

/**
 * `system_accountNextIndex`: the account's nonce at the best block (AccountNonceApi), past the nonces
 * that pending transactions already provide (their `provides` tags are (account, nonce)).
 */
export async function nextAccountIndex(chain: ChainAccess, account: Uint8Array, pendingTags: Uint8Array[]): Promise<number> {
  let nonce: number
  try {
    nonce = new Reader(await chain.call(chain.best().hash, 'AccountNonceApi_account_nonce', account)).u32()
  } catch (e) {
    if (e instanceof ExecutorError || e instanceof MissingStorageError || e instanceof ChainAccessError) throw new RpcError(-32000, `Unable to query nonce: ${e.message}`)
    throw e
  }
  const provided = new Set(pendingTags.map(toHex))
  while (provided.has(toHex(new Writer(36).bytes(account).u32(nonce).finish()))) nonce++
  return nonce
}

export function legacyRpc(reg: Registry, chain: ChainAccess): Registry {
  /**
   * The block a state query is about: the given hash (known to the chain), or the best block once the
   * chain is ready (a light client that is still warping has no best block worth answering about).
   */
  /** A block's header: known here, or (a light client's block older than its start) fetched by hash. */
  const known = async (h: Uint8Array) => chain.header(h) ?? (await chain.lookupHeader?.(h).catch(() => undefined))
  const at = async (hash: unknown): Promise<Uint8Array> => {
    if (hash === undefined || hash === null) {
      await chain.ready
      return chain.best().hash
    }
    const h = hash32(hash)
    if (!(await known(h))) throw new RpcError(-32000, `Unknown block ${toHex(h)}`)
    return h
  }
  const version = (hash: Uint8Array) => chain.runtimeVersion(hash).then(runtimeVersionJson)
  const call = (hash: Uint8Array, method: string, args: Uint8Array) => chain.call(hash, method, args)
  /** Keys under `prefix` after `start` (Substrate iterates from max(start, prefix)), at most `count`. */
  const keysAfter = async (hash: Uint8Array, prefix: Uint8Array, count: number, start: Uint8Array | undefined, child?: Uint8Array) => {
    const out: string[] = []
    if (count === 0) return out
    for await (const [k] of chain.descendants(hash, prefix, child, start)) {
      if (start && compareBytes(k, start) <= 0) continue
      out.push(toHex(k))
      if (out.length >= count) break
    }
    return out
  }
  const countParam = (v: unknown) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_KEYS_PAGE) throw new RpcError(INVALID_PARAMS, `count must be an integer 0..${MAX_KEYS_PAGE}`)
    return v
  }
  const optionalKey = (v: unknown, name: string) => (v === undefined || v === null ? undefined : bytesParam(v, name))
  const allUnder = async (hash: Uint8Array, prefix: Uint8Array, child?: Uint8Array) => {
    const out: [Uint8Array, Uint8Array][] = []
    for await (const e of chain.descendants(hash, prefix, child)) {
      out.push(e)
      if (out.length > MAX_UNPAGED_KEYS) throw new RpcError(-32000, `more than ${MAX_UNPAGED_KEYS} keys under this prefix: use state_getKeysPaged`)
    }
    return out
  }
  const blockHashAt = (n: unknown) => {
    const num = typeof n === 'string' ? Number.parseInt(n, n.startsWith('0x') ? 16 : 10) : n
    if (typeof num !== 'number' || !Number.isSafeInteger(num) || num < 0) throw new RpcError(INVALID_PARAMS, 'block number must be a non-negative integer')
    return hexOrNull(num === 0 ? chain.genesisHash : chain.hashAt(num))
  }

  /** The current head first (once the client has the subscription id), then one per `pick(event)`. */
  const heads = (current: () => Uint8Array, pick: (e: ChainEvent) => Uint8Array | undefined, emit: (h: unknown) => void) => {
    let live = true
    let sentFirst = false
    const unlisten = chain.onEvent((e) => {
      const h = sentFirst ? pick(e) : undefined
      const header = h && chain.header(h)
      if (header) emit(headerJson(header))
    })
    setTimeout(() => {
      void chain.ready.then(() => {
        if (!live) return
        sentFirst = true
        emit(headerJson(chain.header(current())!))
      })
    }, 0)
    return () => {
      live = false
      unlisten()
    }
  }
  /**
   * Recomputes `read` at every new best block, in order, and emits what changed; the first value (at the
   * best block when subscribing) always goes out.
   */
  const onBest = <T>(read: (hash: Uint8Array) => Promise<T>, first: (hash: Uint8Array, v: T) => unknown, changed: (hash: Uint8Array, v: T, last: T) => unknown | undefined) => (emit: (x: unknown) => void) => {
    let live = true
    let last: T | undefined
    let queue: Promise<void> = Promise.resolve()
    const step = (hash: Uint8Array) => {
      queue = queue.then(async () => {
        if (!live) return
        try {
          const v = await read(hash)
          if (!live) return
          const out = last === undefined ? first(hash, v) : changed(hash, v, last)
          last = v
          if (out !== undefined) emit(out)
        } catch {
          // a best block nobody could answer for: the next one will be tried
        }
      })
    }
    setTimeout(() => void chain.ready.then(() => step(chain.best().hash)), 0)
    const unlisten = chain.onEvent((e) => {
      if (e.kind === 'bestChanged') step(e.hash)
    })
    return () => {
      live = false
      unlisten()
    }
  }

  reg
    .method('chain_getBlockHash', async ([n]) => {
      if (n === undefined || n === null) return toHex(await at(null))
      await chain.ready
      return Array.isArray(n) ? n.map(blockHashAt) : blockHashAt(n)
    })
    .method('chain_getHeader', async ([hash]) => {
      const h = hash === undefined || hash === null ? await at(null) : hash32(hash)
      const header = await known(h)
      return header ? headerJson(header) : null
    })
    .method('chain_getBlock', ([hash]) =>
      answer(async () => {
        const h = hash === undefined || hash === null ? await at(null) : hash32(hash)
        const header = await known(h)
        if (!header) return null
        const fetched = chain.bodyWithJustification ? await chain.bodyWithJustification(h) : undefined
        const body = fetched?.body ?? (await chain.body(h))
        // Substrate's serde form of `Justifications`: [[engine id bytes, justification bytes], ...] as number arrays
        const j = chain.justification?.(h) ?? fetched?.justification
        return { block: { header: headerJson(header), extrinsics: body.map(toHex) }, justifications: j ? [[GRANDPA_ENGINE_ID, [...j]]] : null }
      }),
    )
    .method('chain_getFinalizedHead', async () => {
      await chain.ready
      return toHex(chain.finalized().hash)
    })
    .method('state_getStorage', ([key, hash]) => answer(async () => hexOrNull((await chain.storage(await at(hash), [bytesParam(key, 'storage key')]))[0])))
    .method('state_getStorageHash', ([key, hash]) =>
      answer(async () => {
        const v = (await chain.storage(await at(hash), [bytesParam(key, 'storage key')]))[0]
        return v === undefined ? null : toHex(blake2_256(v))
      }),
    )
    .method('state_getStorageSize', ([key, hash]) => answer(async () => (await chain.storage(await at(hash), [bytesParam(key, 'storage key')]))[0]?.length ?? null))
    .method('state_queryStorageAt', ([keys, hash]) =>
      answer(async () => {
        if (!Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
        const h = await at(hash)
        const ks = keys.map((k) => bytesParam(k, 'storage key'))
        const values = await chain.storage(h, ks)
        return [{ block: toHex(h), changes: ks.map((k, i) => [toHex(k), hexOrNull(values[i])]) }]
      }),
    )
    .method('state_getKeysPaged', ([prefix, count, startKey, hash]) =>
      answer(async () => keysAfter(await at(hash), bytesParam(prefix ?? '0x', 'prefix'), countParam(count), optionalKey(startKey, 'start key'))),
    )
    .method('state_getKeys', ([prefix, hash]) => answer(async () => (await allUnder(await at(hash), bytesParam(prefix ?? '0x', 'prefix'))).map(([k]) => toHex(k))))
    .method('state_getPairs', ([prefix, hash]) => answer(async () => (await allUnder(await at(hash), bytesParam(prefix ?? '0x', 'prefix'))).map(([k, v]) => [toHex(k), toHex(v)])))
    .method('state_getReadProof', ([keys, hash]) =>
      answer(async () => {
        if (!Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
        const h = await at(hash)
        return { at: toHex(h), proof: (await chain.readProof(h, keys.map((k) => bytesParam(k, 'storage key')))).map(toHex) }
      }),
    )
    .method('state_call', ([method, data, hash]) =>
      answer(async () => {
        if (typeof method !== 'string') throw new RpcError(INVALID_PARAMS, 'method must be a string')
        return toHex(await call(await at(hash), method, bytesParam(data ?? '0x', 'call data')))
      }),
    )
    .method('state_getMetadata', ([hash]) => answer(async () => toHex(new Reader(await call(await at(hash), 'Metadata_metadata', new Uint8Array())).vecU8())))
    .method('state_getRuntimeVersion', ([hash]) => answer(async () => version(await at(hash))))
    .method('childstate_getStorage', ([child, key, hash]) => answer(async () => hexOrNull((await chain.storage(await at(hash), [bytesParam(key, 'storage key')], childParam(child)))[0])))
    .method('childstate_getStorageHash', ([child, key, hash]) =>
      answer(async () => {
        const v = (await chain.storage(await at(hash), [bytesParam(key, 'storage key')], childParam(child)))[0]
        return v === undefined ? null : toHex(blake2_256(v))
      }),
    )
    .method('childstate_getStorageSize', ([child, key, hash]) => answer(async () => (await chain.storage(await at(hash), [bytesParam(key, 'storage key')], childParam(child)))[0]?.length ?? null))
    .method('childstate_getStorageEntries', ([child, keys, hash]) =>
      answer(async () => {
        if (!Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
        return (await chain.storage(await at(hash), keys.map((k) => bytesParam(k, 'storage key')), childParam(child))).map(hexOrNull)
      }),
    )
    .method('childstate_getKeys', ([child, prefix, hash]) => answer(async () => (await allUnder(await at(hash), bytesParam(prefix ?? '0x', 'prefix'), childParam(child))).map(([k]) => toHex(k))))
    .method('childstate_getKeysPaged', ([child, prefix, count, startKey, hash]) =>
      answer(async () => keysAfter(await at(hash), bytesParam(prefix ?? '0x', 'prefix'), countParam(count), optionalKey(startKey, 'start key'), childParam(child))),
    )
    .method('state_getChildReadProof', ([child, keys, hash]) =>
      answer(async () => {
        if (!Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
        const h = await at(hash)
        return { at: toHex(h), proof: (await chain.readProof(h, keys.map((k) => bytesParam(k, 'storage key')), childParam(child))).map(toHex) }
      }),
    )
    .method('payment_queryInfo', ([ext, hash]) =>
      answer(async () => {
        const tx = txParam(ext)
        const h = await at(hash)
        const id = toHex(blake2_64(utf8('TransactionPaymentApi')))
        const version = (await chain.runtimeVersion(h)).apis.find(([api]) => toHex(api) === id)?.[1]
        if (version === undefined) throw new RpcError(-32000, 'the runtime has no TransactionPaymentApi')
        const r = new Reader(await call(h, 'TransactionPaymentApi_query_info', new Writer(tx.length + 4).bytes(tx).u32(tx.length).finish()))
        // API version 2 and later return Weight v2 (ref_time and proof_size as compacts); version 1 a u64
        const weight = version >= 2 ? { ref_time: Number(r.compact()), proof_size: Number(r.compact()) } : Number(r.u64())
        const cls = DISPATCH_CLASSES[r.variant(3)]
        return { weight, class: cls, partialFee: r.u128().toString() }
      }),
    )
    // head subscriptions start with the current head, as Substrate's do (@polkadot/api waits for it)
    .subscription('chain_subscribeNewHeads', 'chain_newHead', 'chain_unsubscribeNewHeads', (_p, emit) => heads(() => chain.best().hash, (e) => (e.kind === 'bestChanged' ? e.hash : undefined), emit))
    .subscription('chain_subscribeAllHeads', 'chain_allHead', 'chain_unsubscribeAllHeads', (_p, emit) => heads(() => chain.best().hash, (e) => (e.kind === 'newBlock' ? e.hash : undefined), emit))
    .subscription('chain_subscribeFinalizedHeads', 'chain_finalizedHead', 'chain_unsubscribeFinalizedHeads', (_p, emit) => heads(() => chain.finalized().hash, (e) => (e.kind === 'finalized' ? e.hashes.at(-1) : undefined), emit))
    .subscription('state_subscribeRuntimeVersion', 'state_runtimeVersion', 'state_unsubscribeRuntimeVersion', (_p, emit) =>
      onBest(
        (h) => version(h),
        (_h, v) => v,
        (_h, v, last) => (JSON.stringify(v) !== JSON.stringify(last) ? v : undefined),
      )(emit),
    )
    .subscription('state_subscribeStorage', 'state_storage', 'state_unsubscribeStorage', ([keys], emit) => {
      if (keys !== undefined && keys !== null && !Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
      if (!keys || keys.length === 0) throw new RpcError(INVALID_PARAMS, 'subscribing to all storage changes is not supported: give keys')
      const ks = (keys as unknown[]).map((k) => bytesParam(k, 'storage key'))
      const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (a === undefined || b === undefined ? a === b : bytesEqual(a, b))
      return onBest(
        (h) => chain.storage(h, ks),
        (h, v) => ({ block: toHex(h), changes: ks.map((k, i) => [toHex(k), hexOrNull(v[i])]) }),
        (h, v, last) => {
          const changes = ks.flatMap((k, i) => (same(v[i], last[i]) ? [] : [[toHex(k), hexOrNull(v[i])]]))
          return changes.length ? { block: toHex(h), changes } : undefined
        },
      )(emit)
    })
  // the older spellings Substrate still answers to (and client libraries still call)
  for (const [alias, target] of [
    ['chain_getHead', 'chain_getBlockHash'],
    ['chain_getFinalisedHead', 'chain_getFinalizedHead'],
    ['chain_getRuntimeVersion', 'state_getRuntimeVersion'],
    ['chain_subscribeNewHead', 'chain_subscribeNewHeads'],
    ['chain_unsubscribeNewHead', 'chain_unsubscribeNewHeads'],
    ['subscribe_newHead', 'chain_subscribeNewHeads'],
    ['unsubscribe_newHead', 'chain_unsubscribeNewHeads'],
    ['chain_subscribeFinalisedHeads', 'chain_subscribeFinalizedHeads'],
    ['chain_unsubscribeFinalisedHeads', 'chain_unsubscribeFinalizedHeads'],
    ['chain_subscribeRuntimeVersion', 'state_subscribeRuntimeVersion'],
    ['chain_unsubscribeRuntimeVersion', 'state_unsubscribeRuntimeVersion'],
    ['state_getKeysPagedAt', 'state_getKeysPaged'],
    ['state_getStorageAt', 'state_getStorage'],
    ['state_getStorageHashAt', 'state_getStorageHash'],
    ['state_getStorageSizeAt', 'state_getStorageSize'],
  ]) reg.alias(alias, target)
  return reg
}
