// The JSON-RPC methods the light client serves for one chain: `chainHead_v1_*` and `chainSpec_v1_*`
// from the shared implementation in `json-rpc/` over the ChainService (answers from peers' proofs),
// `transaction_v1_*` / `transactionWatch_v1_*` over the TransactionsService, and the system methods
// apps call first. Nothing here waits for the network before answering: `system_health` answers at once.

import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '../codec/index.ts'
import { SUBLIGHT_VERSION } from '../version.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { INVALID_PARAMS, Registry, RpcError, accountParam, bytesParam, chainHeadRpc, legacyRpc, nextAccountIndex, shouldHavePeers, txParam } from '../json-rpc/index.ts'
import { peerRoleName } from '../network/index.ts'
import type { ChainService } from './chain-service.ts'
import type { TransactionEvent, TransactionsService } from './transactions-service.ts'


export function lightClientRpc(chain: ChainService, spec: ChainSpec, transactions: TransactionsService): Registry {
  const reg = new Registry()
  const startingBlock = chain.finalized().header.number
  const broadcasts = new Map<string, () => void>()
  let nextBroadcast = 1

  reg
    .method('rpc_methods', () => ({ methods: reg.names() }))
    .method('system_name', () => 'sublight')
    .method('system_version', () => SUBLIGHT_VERSION)
    .method('sudo_unstable_version', () => `sublight ${SUBLIGHT_VERSION}`)
    .method('system_chain', () => spec.name)
    .method('system_chainType', () => spec.chainType)
    .method('system_properties', () => spec.properties ?? {})
    .method('system_nodeRoles', () => ['Light'])
    .method('system_localPeerId', () => chain.host.peerId)
    .method('system_health', () => ({ peers: chain.peerCount, isSyncing: chain.isSyncing, shouldHavePeers: shouldHavePeers(spec.chainType) }))
    .method('system_syncState', () => {
      const currentBlock = chain.best().header.number
      return { startingBlock, currentBlock, highestBlock: Math.max(currentBlock, ...chain.host.announcingPeers().map((p) => p.handshake?.bestNumber ?? 0)) }
    })
    .method('system_peers', () => chain.host.announcingPeers().flatMap((p) => (p.handshake ? [{ peerId: p.peerId, roles: peerRoleName(p.handshake.roles), bestHash: toHex(p.handshake.bestHash), bestNumber: p.handshake.bestNumber }] : [])))
    .method('system_localListenAddresses', () => [])
    .subscription(
      'transactionWatch_v1_submitAndWatch',
      'transactionWatch_v1_watchEvent',
      'transactionWatch_v1_unwatch',
      // the v1 spec has no `broadcasted` event; after its last event the subscription is freed
      ([tx], emit, id, ctx) =>
        transactions.submit(
          bytesParam(tx, 'transaction'),
          (e) => {
            if (e.event === 'broadcasted') return
            emit(e.event === 'error' ? { event: e.event, error: e.error } : e)
            if (TERMINAL.has(e.event)) ctx.endSubscription(id)
          },
          ctx.connectionId,
        ),
      'nullOrError',
    )
    .method('transaction_v1_broadcast', ([tx], ctx) => {
      if (broadcasts.size >= 256 || !transactions.canWatch(ctx.connectionId)) return null // overloaded: the spec allows null
      const id = `${nextBroadcast++}`
      const stop = transactions.submit(
        bytesParam(tx, 'transaction'),
        (e) => {
          if (e.event === 'finalized' || e.event === 'invalid' || e.event === 'dropped' || e.event === 'error') broadcasts.delete(id)
        },
        ctx.connectionId,
      )
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
  legacyAuthorRpc(reg, chain, transactions)
  legacyRpc(reg, chain)
  chainHeadRpc(reg, chain, spec)
  reg.refuse(NOT_ON_A_LIGHT_CLIENT, 'not available on a light client (it holds no keys, no pool of others\' transactions, no offchain storage and no reserved peers)')
  return reg
}

/** Methods of a Substrate node a light client cannot serve (answered with an error saying so). */
const NOT_ON_A_LIGHT_CLIENT = [
  'author_insertKey',
  'author_rotateKeys',
  'author_hasKey',
  'author_hasSessionKeys',
  'author_removeExtrinsic',
  'offchain_localStorageGet',
  'offchain_localStorageSet',
  'system_addReservedPeer',
  'system_removeReservedPeer',
  'system_reservedPeers',
  'system_networkState',
  'system_addLogFilter',
  'system_resetLogFilter',
  'system_dryRun',
  'system_dryRunAt',
  'state_queryStorage',
  'state_traceBlock',
  'dev_getBlockStats',
  'sync_state_genSyncSpec',
]

/** A watched transaction's last events: its subscription is freed after them. */
const TERMINAL = new Set<TransactionEvent['event']>(['finalized', 'invalid', 'dropped', 'error'])

/** Legacy `author_extrinsicUpdate` statuses from the light client's transaction events. */
function legacyStatus(e: TransactionEvent, lastBlock: { hash?: string }): unknown {
  switch (e.event) {
    case 'validated':
      return 'ready'
    case 'broadcasted':
      return { broadcast: e.peers }
    case 'bestChainBlockIncluded':
      if (e.block) return { inBlock: (lastBlock.hash = e.block.hash) }
      return lastBlock.hash ? { retracted: lastBlock.hash } : undefined
    case 'finalized':
      return { finalized: e.block.hash }
    case 'invalid':
      return 'invalid'
    case 'dropped':
    case 'error':
      return 'dropped'
  }
}

/**
 * The legacy transaction methods over the light client's TransactionsService: submission validates the
 * transaction at the best block (an invalid one is refused with Substrate's 1010 error), gossips it and
 * watches for its inclusion; the next account index counts the client's own pending transactions.
 */
function legacyAuthorRpc(reg: Registry, chain: ChainService, transactions: TransactionsService): void {
  reg
    // (not counted per connection: a script may send many without watching them)
    .method('author_submitExtrinsic', ([ext]) => {
      const tx = txParam(ext)
      return new Promise((resolve, reject) => {
        let settled = false
        transactions.submit(tx, (e) => {
          if (settled) return
          if (e.event === 'validated') resolve(toHex(blake2_256(tx)))
          else if (e.event === 'invalid') reject(new RpcError(1010, 'Invalid Transaction', e.error))
          // the runtime failing to validate it (an undecodable transaction) is Substrate's 1002, as the node says
          else if (e.event === 'error' && e.verification) reject(new RpcError(1002, 'Verification Error', e.error))
          else if (e.event === 'dropped' || e.event === 'error') reject(new RpcError(1011, 'Unknown Transaction Validity', e.error))
          else return
          settled = true
        })
      })
    })
    .subscription('author_submitAndWatchExtrinsic', 'author_extrinsicUpdate', 'author_unwatchExtrinsic', ([ext], emit, id, ctx) => {
      const last: { hash?: string } = {}
      return transactions.submit(
        txParam(ext),
        (e) => {
          const status = legacyStatus(e, last)
          if (status !== undefined) emit(status)
          if (TERMINAL.has(e.event)) ctx.endSubscription(id)
        },
        ctx.connectionId,
      )
    })
    .method('author_pendingExtrinsics', () => transactions.pending().map(toHex))
    .method('system_accountNextIndex', ([who]) => nextAccountIndex(chain, accountParam(who), transactions.pendingTags()))
    .alias('account_nextIndex', 'system_accountNextIndex')
}
