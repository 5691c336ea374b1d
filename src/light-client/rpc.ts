// The JSON-RPC methods the light client serves for one chain: `chainHead_v1_*` and `chainSpec_v1_*`
// from the shared implementation in `json-rpc/` over the ChainService (answers from peers' proofs),
// `transaction_v1_*` / `transactionWatch_v1_*` over the TransactionsService, and the system methods
// apps call first. Nothing here waits for the network before answering: `system_health` answers at once.

import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { INVALID_PARAMS, Registry, RpcError, bytesParam, chainHeadRpc, legacyRpc } from '../json-rpc/index.ts'
import type { ChainService } from './chain-service.ts'
import type { TransactionsService } from './transactions-service.ts'

const VERSION = '0.1.0'

export function lightClientRpc(chain: ChainService, spec: ChainSpec, transactions: TransactionsService): Registry {
  const reg = new Registry()
  const broadcasts = new Map<string, () => void>()
  let nextBroadcast = 1

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
  reg.method('sudo_unstable_p2pDiscover', ([addr]) => {
    if (typeof addr !== 'string') throw new RpcError(INVALID_PARAMS, 'multiaddr must be a string')
    let ma
    try {
      ma = multiaddr(addr)
    } catch {
      throw new RpcError(INVALID_PARAMS, 'Invalid multiaddress', 'UnrecognizedProtocol')
    }
    if (!/\/p2p\/[^/]+$/.test(ma.toString())) throw new RpcError(INVALID_PARAMS, 'Invalid multiaddress', "multiaddr doesn't end with /p2p")
    chain.discover(ma.toString())
    return null
  })
  reg.method('chainHead_unstable_finalizedDatabase', async ([maxSize]) => {
    if (maxSize !== undefined && maxSize !== null && !(Number.isSafeInteger(maxSize) && (maxSize as number) >= 0)) throw new RpcError(INVALID_PARAMS, 'maxSizeBytes must be a non-negative integer')
    await chain.ready
    return chain.finalizedDatabase((maxSize as number | null | undefined) ?? undefined)
  })
  legacyRpc(reg, chain)
  chainHeadRpc(reg, chain, spec)
  return reg
}
