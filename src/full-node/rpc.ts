// The JSON-RPC methods a Substrate node's users rely on, answered from a DevChain: system_*, chain_*
// (blocks, headers, hashes, new/finalized head subscriptions), state_* (storage, call, metadata,
// runtime version) and rpc_methods. Hex at this edge only; everything inside stays bytes.

import { HexError, Reader, Writer, compareBytes, fromHex, toHex, startsWith } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { ExecutorError, MissingStorageError, Runtime, decodeRuntimeVersion, type MemoryStorage } from '../executor/index.ts'
import { writeDigestItem, type Header } from '../header/index.ts'
import { INVALID_PARAMS, Registry, RpcError, chainHeadRpc, type ChainHeadLimits } from '../json-rpc/index.ts'
import type { ChainBlock, DevChain } from './dev-chain.ts'
import { devChainAccess } from './chain-access.ts'

export interface NodeInfo {
  spec: ChainSpec
  peers(): number
  localPeerId(): string
  /** Connected peers with their block-announces handshake (`system_peers`). */
  peerList?(): { peerId: string; roles: string; bestHash: string; bestNumber: number }[]
  /** Our listen addresses with `/p2p/<peer id>` (`system_localListenAddresses`). */
  listenAddresses?(): string[]
  /** Whether the node is catching up with its peers (`system_health.isSyncing`); a node authoring its own chain is not. */
  isSyncing?(): boolean
  /** `system_nodeRoles`: `Authority` for a node holding authoring keys, else `Full`. */
  role?: 'Authority' | 'Full'
  /** Limits of the chainHead_v1 family (tests use small pages). */
  chainHead?: ChainHeadLimits
}

function hexParam(v: unknown, name: string, len?: number): Uint8Array {
  if (typeof v !== 'string') throw new RpcError(INVALID_PARAMS, `${name} must be a hex string`)
  try {
    const b = fromHex(v)
    if (len !== undefined && b.length !== len) throw new RpcError(INVALID_PARAMS, `${name} must be ${len} bytes`)
    return b
  } catch (e) {
    if (e instanceof HexError) throw new RpcError(INVALID_PARAMS, `${name}: ${e.message}`)
    throw e
  }
}

/** Substrate's JSON form of a header: numbers as hex, digest items as SCALE hex. */
export function headerJson(h: Header) {
  const logs = h.digest.map((d) => {
    const w = new Writer(64)
    writeDigestItem(w, d)
    return toHex(w.finish())
  })
  return { parentHash: toHex(h.parentHash), number: `0x${h.number.toString(16)}`, stateRoot: toHex(h.stateRoot), extrinsicsRoot: toHex(h.extrinsicsRoot), digest: { logs } }
}


const GRANDPA_ENGINE_ID = new TextEncoder().encode('FRNK')

export function nodeRpc(chain: DevChain, info: NodeInfo): Registry {
  const reg = new Registry()
  /** The current head first (once the client has the subscription id), then each new one of `kind`. */
  const headsFrom = (current: () => Header, kind: 'block' | 'finalized', emit: (h: unknown) => void) => {
    let live = true
    let sentFirst = false
    const unlisten = chain.onEvent((e) => {
      if (e.kind === kind && sentFirst) emit(headerJson(e.header))
    })
    setTimeout(() => {
      if (!live) return
      sentFirst = true
      emit(headerJson(current()))
    }, 0)
    return () => {
      live = false
      unlisten()
    }
  }
  const blockOf = (hash: unknown) => {
    if (hash === undefined || hash === null) return chain.bestBlock
    const b = chain.block(hexParam(hash, 'block hash', 32))
    if (!b) throw new RpcError(-32000, 'Unknown block')
    return b
  }
  /** A block by hash for the header/block getters: null for an unknown hash, as a Substrate node answers. */
  const blockOrNull = (hash: unknown) => {
    if (hash === undefined || hash === null) return chain.bestBlock
    return chain.block(hexParam(hash, 'block hash', 32)) ?? null
  }
  /** A block whose state is still kept (the finalized block and later ones). */
  const at = (hash: unknown): ChainBlock & { state: MemoryStorage } => {
    const b = blockOf(hash)
    if (!b.state) throw new RpcError(-32000, `State already discarded for ${toHex(b.hash)}`)
    return b as ChainBlock & { state: MemoryStorage }
  }
  const runtimeCall = (block: ReturnType<typeof at>, method: string, args: Uint8Array): Uint8Array => {
    try {
      return Runtime.load(block.state.get(new TextEncoder().encode(':code'))!).call(method, args, { storage: block.state }).output
    } catch (e) {
      if (e instanceof ExecutorError || e instanceof MissingStorageError) throw new RpcError(-32000, `runtime call failed: ${e.message}`)
      throw e
    }
  }
  const version = (block: ReturnType<typeof at>) => {
    const v = decodeRuntimeVersion(runtimeCall(block, 'Core_version', new Uint8Array()))
    return { specName: v.specName, implName: v.implName, authoringVersion: v.authoringVersion, specVersion: v.specVersion, implVersion: v.implVersion, apis: v.apis.map(([id, n]) => [toHex(id), n]), transactionVersion: v.transactionVersion ?? 0, stateVersion: v.stateVersion }
  }

  reg
    .method('rpc_methods', () => ({ methods: reg.names() }))
    .method('system_name', () => 'sublight')
    .method('system_version', () => '0.1.0')
    .method('system_chain', () => info.spec.name)
    .method('system_chainType', () => info.spec.chainType)
    .method('system_properties', () => info.spec.properties)
    .method('system_health', () => ({ peers: info.peers(), isSyncing: info.isSyncing?.() ?? false, shouldHavePeers: info.spec.chainType !== 'Development' }))
    .method('system_localPeerId', () => info.localPeerId())
    .method('system_nodeRoles', () => [info.role ?? 'Full'])
    .method('system_peers', () => info.peerList?.() ?? [])
    .method('system_localListenAddresses', () => info.listenAddresses?.() ?? [])
    .method('chain_getBlockHash', ([n]) => {
      if (n === undefined || n === null) return toHex(chain.bestBlock.hash)
      const num = typeof n === 'string' ? Number.parseInt(n, n.startsWith('0x') ? 16 : 10) : n
      if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) throw new RpcError(INVALID_PARAMS, 'block number must be a non-negative integer')
      const b = chain.blockAt(num)
      return b ? toHex(b.hash) : null
    })
    .method('chain_getHeader', ([hash]) => {
      const b = blockOrNull(hash)
      return b ? headerJson(b.header) : null
    })
    .method('chain_getBlock', ([hash]) => {
      const b = blockOrNull(hash)
      if (!b) return null
      // Substrate's serde form of `Justifications`: [[engine id bytes, justification bytes], ...] as number arrays
      const j = chain.justification(b.hash)
      return { block: { header: headerJson(b.header), extrinsics: b.body.map(toHex) }, justifications: j ? [[[...GRANDPA_ENGINE_ID], [...j]]] : null }
    })
    .method('chain_getFinalizedHead', () => toHex(chain.finalized().hash))
    .method('state_getStorage', ([key, hash]) => {
      const v = at(hash).state.get(hexParam(key, 'storage key'))
      return v === undefined ? null : toHex(v)
    })
    .method('state_getStorageHash', ([key, hash]) => {
      const v = at(hash).state.get(hexParam(key, 'storage key'))
      return v === undefined ? null : toHex(blake2_256(v))
    })
    .method('state_getStorageSize', ([key, hash]) => at(hash).state.get(hexParam(key, 'storage key'))?.length ?? null)
    .method('state_queryStorageAt', ([keys, hash]) => {
      if (!Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
      const b = at(hash)
      return [{ block: toHex(b.hash), changes: keys.map((k) => [k, ((v) => (v === undefined ? null : toHex(v)))(b.state.get(hexParam(k, 'storage key')))]) }]
    })
    .method('state_getKeysPaged', ([prefix, count, startKey, hash]) => {
      const p = hexParam(prefix ?? '0x', 'prefix')
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 1000) throw new RpcError(INVALID_PARAMS, 'count must be an integer 0..1000')
      const state = at(hash).state
      const out: string[] = []
      // a start key below the prefix starts at the prefix (Substrate iterates the prefix from max(start, prefix))
      const start = startKey === undefined || startKey === null ? undefined : hexParam(startKey, 'start key')
      const fromPrefix = start === undefined || compareBytes(start, p) < 0
      let k: Uint8Array | undefined = fromPrefix ? p : start
      // the prefix itself is a key too when it is stored (and the walk starts at the prefix)
      if (fromPrefix && state.get(p) !== undefined) out.push(toHex(p))
      while (out.length < count && (k = state.nextKey(k)) !== undefined && startsWith(k, p)) out.push(toHex(k))
      return out
    })
    .method('state_call', ([method, data, hash]) => {
      if (typeof method !== 'string') throw new RpcError(INVALID_PARAMS, 'method must be a string')
      return toHex(runtimeCall(at(hash), method, hexParam(data ?? '0x', 'call data')))
    })
    .method('state_getMetadata', ([hash]) => toHex(new Reader(runtimeCall(at(hash), 'Metadata_metadata', new Uint8Array())).vecU8()))
    .method('state_getRuntimeVersion', ([hash]) => version(at(hash)))
    // head subscriptions start with the current head, as Substrate's do (@polkadot/api waits for it)
    .subscription('chain_subscribeNewHeads', 'chain_newHead', 'chain_unsubscribeNewHeads', (_p, emit) => headsFrom(() => chain.bestBlock.header, 'block', emit))
    .subscription('chain_subscribeAllHeads', 'chain_allHead', 'chain_unsubscribeAllHeads', (_p, emit) => headsFrom(() => chain.bestBlock.header, 'block', emit))
    .subscription('state_subscribeRuntimeVersion', 'state_runtimeVersion', 'state_unsubscribeRuntimeVersion', (_p, emit) => {
      let last = JSON.stringify(version(chain.bestBlock))
      setTimeout(() => emit(JSON.parse(last)), 0)
      return chain.onEvent((e) => {
        if (e.kind !== 'block') return
        const v = JSON.stringify(version(at(toHex(e.hash))))
        if (v !== last) emit(JSON.parse((last = v)))
      })
    })
    .subscription('state_subscribeStorage', 'state_storage', 'state_unsubscribeStorage', ([keys], emit) => {
      if (keys !== undefined && keys !== null && !Array.isArray(keys)) throw new RpcError(INVALID_PARAMS, 'keys must be an array')
      if (!keys || keys.length === 0) throw new RpcError(INVALID_PARAMS, 'subscribing to all storage changes is not supported: give keys')
      const ks = (keys as unknown[]).map((k) => hexParam(k, 'storage key'))
      const read = (b: { state: { get(k: Uint8Array): Uint8Array | undefined } }) => ks.map((k) => ((v) => (v === undefined ? null : toHex(v)))(b.state.get(k)))
      let last = read(chain.bestBlock)
      const first = chain.bestBlock.hash
      setTimeout(() => emit({ block: toHex(first), changes: ks.map((k, i) => [toHex(k), last[i]]) }), 0)
      return chain.onEvent((e) => {
        if (e.kind !== 'block') return
        const now = read(at(toHex(e.hash)))
        const changes = ks.flatMap((k, i) => (now[i] !== last[i] ? [[toHex(k), now[i]]] : []))
        last = now
        if (changes.length) emit({ block: toHex(e.hash), changes })
      })
    })
    .subscription('chain_subscribeFinalizedHeads', 'chain_finalizedHead', 'chain_unsubscribeFinalizedHeads', (_p, emit) => headsFrom(() => chain.finalized().header, 'finalized', emit))
  chainHeadRpc(reg, devChainAccess(chain), info.spec, info.chainHead)
  // the older spellings Substrate still answers to (and client libraries still call)
  for (const [alias, target] of [
    ['chain_getHead', 'chain_getBlockHash'],
    ['chain_getFinalisedHead', 'chain_getFinalizedHead'],
    ['chain_subscribeNewHead', 'chain_subscribeNewHeads'],
    ['chain_unsubscribeNewHead', 'chain_unsubscribeNewHeads'],
    ['subscribe_newHead', 'chain_subscribeNewHeads'],
    ['unsubscribe_newHead', 'chain_unsubscribeNewHeads'],
    ['chain_subscribeFinalisedHeads', 'chain_subscribeFinalizedHeads'],
    ['chain_unsubscribeFinalisedHeads', 'chain_unsubscribeFinalizedHeads'],
    ['chain_subscribeRuntimeVersion', 'state_subscribeRuntimeVersion'],
    ['chain_unsubscribeRuntimeVersion', 'state_unsubscribeRuntimeVersion'],
    ['state_getKeysPagedAt', 'state_getKeysPaged'],
  ]) reg.alias(alias, target)
  return reg
}
