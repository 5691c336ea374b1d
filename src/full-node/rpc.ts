// The JSON-RPC methods a Substrate node's users rely on, answered from a DevChain: the node's own
// system_* methods and rpc_methods here; chain_*, state_*, childstate_* (`json-rpc/legacy.ts`) and the
// chainHead_v1 family (`json-rpc/chain-head.ts`) from the implementations shared with the light client,
// over the node's ChainAccess. Hex at this edge only; everything inside stays bytes.

import type { ChainSpec } from '../chain-spec/index.ts'
import { Registry, chainHeadRpc, legacyRpc, shouldHavePeers, type ChainHeadLimits } from '../json-rpc/index.ts'
import type { DevChain } from './dev-chain.ts'
import { SUBLIGHT_VERSION } from '../version.ts'
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

export function nodeRpc(chain: DevChain, info: NodeInfo): Registry {
  const reg = new Registry()
  const startingBlock = chain.bestBlock.header.number
  reg
    .method('rpc_methods', () => ({ methods: reg.names() }))
    .method('system_name', () => 'sublight')
    .method('system_version', () => SUBLIGHT_VERSION)
    .method('system_chain', () => info.spec.name)
    .method('system_chainType', () => info.spec.chainType)
    .method('system_properties', () => info.spec.properties)
    .method('system_health', () => ({ peers: info.peers(), isSyncing: info.isSyncing?.() ?? false, shouldHavePeers: shouldHavePeers(info.spec.chainType) }))
    .method('system_localPeerId', () => info.localPeerId())
    .method('system_nodeRoles', () => [info.role ?? 'Full'])
    .method('system_peers', () => info.peerList?.() ?? [])
    .method('system_localListenAddresses', () => info.listenAddresses?.() ?? [])
    .method('system_syncState', () => {
      const currentBlock = chain.bestBlock.header.number
      return { startingBlock, currentBlock, highestBlock: Math.max(currentBlock, ...(info.peerList?.() ?? []).map((p) => p.bestNumber)) }
    })
  const access = devChainAccess(chain)
  legacyRpc(reg, access)
  chainHeadRpc(reg, access, info.spec, info.chainHead)
  return reg
}
