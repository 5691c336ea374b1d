// The devnet node service: wires a DevChain, the transaction pool, the libp2p host and the JSON-RPC
// server, and drives Aura or BABE authoring (`slot-authoring.ts`: one block per slot one of its keys may
// claim), the import of other validators' blocks (`sync-service.ts`, forks included) and GRANDPA
// finality with real timers: alone when its keys hold a supermajority of the set (a justification
// signed locally), else by voting with the other nodes (`grandpa-voting.ts` over `/grandpa/1`). This is
// the I/O edge of the full node; the pieces it drives (block builder, slot authoring, pool, chain,
// voter, justification) are pure. `sublight dev` is a thin CLI over it; `sublight testnet` runs several.

import { fromHex, toHex, utf8 } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, type DevKeypair } from '../crypto/index.ts'
import { Runtime, type MemoryStorage } from '../executor/index.ts'
import { NetworkHost, REP, ROLE_AUTHORITY, peerRoleName } from '../network/index.ts'
import { RpcServer, RpcServerError } from '../json-rpc/server.ts'
import { INVALID_PARAMS, RpcError } from '../json-rpc/index.ts'
import { authorBlock, type Authored } from './block-builder.ts'
import { SlotAuthoringError, auraAuthoring, babeAuthoring, emptyParachainsInherent, type SlotAuthoring } from './slot-authoring.ts'
import { ParaBacking } from './para-backing.ts'
import { Collator } from './collator.ts'
import { decodeCommittedCandidateReceipt } from '../parachain/candidate.ts'
import type { Header } from '../header/index.ts'
import { DevChain, genesisState } from './dev-chain.ts'
import { GrandpaSets, NoGrandpaError, genesisGrandpaSet, grandpaSetsOf } from './grandpa-sets.ts'
import { holdsSupermajority, localJustification } from './grandpa-local.ts'
import { SyncService } from './sync-service.ts'
import { GrandpaVoting, type FinalityStatus } from './grandpa-voting.ts'
import { nodeRpc } from './rpc.ts'
import { authorRpc } from './rpc-author.ts'
import { runtimeApiVersion, runtimeAt } from './runtime-apis.ts'
import { PoolError, TX_SOURCE_EXTERNAL, TxPool, decodeTransactionValidity, txHash, validateTransactionArgs, type TransactionValidity } from './tx-pool.ts'
import { nodeTransports } from '../platform/node.ts'
import { signingContext, type SigningContext } from './dev-extrinsics.ts'
import { WALL_CLOCK, sharedHistoryClock, type DevClock } from './dev-clock.ts'
import { rotationGrandpaKeys, rotationSigners, sessionKeyRotations, type RotationSigner } from './session-keys.ts'

export interface DevNodeOptions {
  spec: ChainSpec
  /** Secret URIs of the keys this node authors and votes with (sr25519 for Aura, ed25519 for GRANDPA). */
  keys: string[]
  listen: string[]
  bootNodes?: string[]
  /** 32-byte Ed25519 seed of the node's network identity (a fixed peer id); random when absent. */
  nodeKey?: Uint8Array
  /** JSON-RPC port on `rpcHost` (default 127.0.0.1); null disables the server; 0 picks a free port. */
  rpcPort?: number | null
  rpcHost?: string
  /** Browser origins the JSON-RPC server lets in (see `RpcServerOptions.cors`). */
  rpcCors?: 'all' | string[]
  /** A chain to continue (e.g. reopened from a database; the node closes it on stop); a fresh in-memory one otherwise. */
  chain?: DevChain
  log?: (line: string) => void
  /** The clock slots are read from (default: the wall clock); tests pass an accelerated one. */
  clock?: DevClock
  /**
   * BABE chains: a fresh chain's block #1 is authored `epochs` epochs in the past, and that history is
   * authored fast — the first `blocksPerEpoch` slots of every epoch (default 2), one block every
   * `intervalMs` of real time (default 50) — before the node carries on in real time. Every block
   * stays valid for any verifier: slots and timestamps only increase and none is in the future.
   * `startsAt` (real ms) makes it a network's history: every node given the same one reads the same
   * past slots at the same moments (`sharedHistoryClock`) and authors those it can claim, from then on.
   */
  history?: { epochs: number; blocksPerEpoch?: number; intervalMs?: number; startsAt?: number }
  /**
   * Once per session, re-key the GRANDPA key of every validator whose controller we hold (see
   * `session-keys.ts`): every session change becomes a GRANDPA set change. The node then votes with
   * both keys of each URI it alternates between.
   */
  rotateSessionKeys?: boolean
  /** Delay added to every block announce, GRANDPA message and transaction we gossip (ms): an injected fault. */
  latencyMs?: number
  /**
   * A parachain's collator (see `collator.ts`): blocks are authored on the relay node's heads (its
   * JSON-RPC WebSocket URL) rather than on a slot timer, handed to it as collations, and final when the
   * relay's finalized block includes them; no GRANDPA. The first key is the collator's.
   */
  collator?: { relay: string; paraId: number }
}

/**
 * `--history` defaults: two blocks per epoch (the session rotates in the first, keys are set in the
 * second), one every 50 ms: five epoch and GRANDPA set changes take a few seconds. A light client that
 * connects meanwhile may meet set changes faster than it can take them (smoldot bans a peer whose block
 * response carries justifications of two set changes it has not reached yet): pace the history then
 * (`intervalMs` 3000: a set change every ~6 s, slower than a warp and catch-up).
 */
const HISTORY_BLOCKS_PER_EPOCH = 2
const HISTORY_INTERVAL_MS = 50

/** What the node reports after each authored block. */
export interface BlockStatus {
  number: number
  hash: Uint8Array
  finalized: number
  peers: number
  txs: number
}

export class DevNodeError extends Error {
  override readonly name = 'DevNodeError'
}


export class DevNode {
  readonly pool = new TxPool()
  private readonly listeners = new Set<(s: BlockStatus) => void>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private lastSlot = 0n
  private clock: DevClock = WALL_CLOCK
  private round = 0n
  private history: { epochs: number; blocksPerEpoch: number; intervalMs: number } | undefined
  /** Keys whose validators get their GRANDPA key rotated every session (empty: no rotation). */
  private rotating: readonly RotationSigner[] = []
  private signing: { code: Uint8Array; ctx: SigningContext } | undefined
  /** The JSON-RPC server, unless disabled. */
  rpc: RpcServer | undefined
  /** Imports other nodes' blocks over the same host. */
  private sync: SyncService | undefined
  /** Parachains: the service authoring on the relay's heads (see `collator.ts`). */
  private collator: Collator | undefined
  /** Relay chains: the collations handed to this node, backed in the blocks it authors (see `para-backing.ts`). */
  paraBacking: ParaBacking | undefined
  /** Votes with the other validators when our keys alone cannot finalize. */
  private voting: GrandpaVoting | undefined

  private constructor(
    readonly chain: DevChain,
    readonly host: NetworkHost,
    private readonly authoring: SlotAuthoring,
    /** The GRANDPA sets along our chain (set changes from digests and finality) and our voting keys. */
    private readonly grandpa: { sets: GrandpaSets; keys: DevKeypair[] },
    private readonly log: (line: string) => void,
  ) {}

  static async start(o: DevNodeOptions): Promise<DevNode> {
    if (o.spec.genesis.kind !== 'raw') throw new DevNodeError('the chain spec has no raw genesis storage')
    const chain = o.chain ?? new DevChain(o.spec)
    const best = chain.bestBlock
    const rt = Runtime.load(best.state.get(utf8(':code'))!)
    const keys = o.keys.map(sr25519FromSuri)
    const log = o.log ?? (() => {})
    // a relay chain: the validators we hold back and make available the collations handed to us
    const paraBacking = rt.hasExport('ParachainHost_validators') ? new ParaBacking(keys, log) : undefined
    const parachains = paraBacking && ((parent: Header, state: MemoryStorage) => {
      try {
        return paraBacking.inherent(parent, state)
      } catch (e) {
        log(`#${parent.number + 1}: no parachain candidates or bitfields (${(e as Error).message})`)
        return emptyParachainsInherent(parent, state)
      }
    })
    let authoring: SlotAuthoring
    try {
      if (rt.hasExport('AuraApi_authorities')) authoring = auraAuthoring(rt, best.state, keys)
      else if (rt.hasExport('BabeApi_configuration')) authoring = babeAuthoring(rt, best.state, keys, chain.headers(), parachains)
      else throw new DevNodeError("this chain's runtime has neither AuraApi nor BabeApi: a devnet authors Aura or BABE blocks")
    } catch (e) {
      if (e instanceof SlotAuthoringError) throw new DevNodeError(e.message)
      if (e instanceof DevNodeError) throw e
      throw new DevNodeError(`this chain's runtime cannot tell its consensus parameters: ${(e as Error).message}`)
    }
    if (o.history && authoring.epochDuration === undefined) throw new DevNodeError('history (--history) needs a BABE chain: only BABE has epochs to author')
    const grandpaKeys = o.rotateSessionKeys ? rotationGrandpaKeys(o.keys) : o.keys.map(ed25519FromSuri)
    let sets: GrandpaSets
    try {
      // a parachain has no GRANDPA: its finality is the relay chain's
      sets = o.collator ? new GrandpaSets({ setId: 0n, authorities: [] }) : grandpaSetsOf(chain, genesisGrandpaSet(genesisState(o.spec)))
    } catch (e) {
      if (e instanceof NoGrandpaError) throw new DevNodeError(e.message)
      throw e
    }

    // the pool receives network transactions through the host, so both exist before either runs
    let node: DevNode | undefined
    const sync = SyncService.create({ spec: o.spec, chain, log, sets, babeEpochs: authoring.babeEpochs, now: o.clock ? () => o.clock!.now() : undefined, onGrandpa: (peer, m) => node?.voting?.onGossip(peer, m) })
    const host = await NetworkHost.start({
      ...sync.hostHandlers(),
      server: chain,
      // it authors and votes: peers see an authority (system_peers, GRANDPA's observed roles)
      roles: ROLE_AUTHORITY,
      protocolId: o.spec.protocolId,
      listen: o.listen,
      nodeKey: o.nodeKey,
      transports: nodeTransports(),
      bootNodes: o.bootNodes,
      latencyMs: o.latencyMs,
      log,
      onTransactions: (peer, txs) => node?.receiveFromPeer(peer, txs),
    })
    host.announceGrandpaState(sets.finalizedSetId, chain.finalized().number)
    const grandpa = { sets, keys: grandpaKeys }
    node = new DevNode(chain, host, authoring, grandpa, log)
    node.paraBacking = paraBacking
    node.sync = sync
    sync.attach(host, o.bootNodes ?? [])
    node.followChain()
    if (o.rpcPort !== null) {
      const registry = nodeRpc(chain, {
        spec: o.spec,
        peers: () => host.libp2p.getPeers().length,
        localPeerId: () => host.peerId,
        peerList: () =>
          [...host.peers.values()].flatMap((p) => (p.handshake ? [{ peerId: p.peerId, roles: peerRoleName(p.handshake.roles), bestHash: toHex(p.handshake.bestHash), bestNumber: p.handshake.bestNumber }] : [])),
        listenAddresses: () => host.addresses(),
        // this node authors its own chain: it is never behind
        isSyncing: () => false,
        role: 'Authority',
      })
      authorRpc(registry, node)
      // a fault on demand (tests, users trying reorgs): cut this node off from the given peers until the
      // next call; an empty list heals
      // (`mode` 'allow': from every peer not listed)
      registry.method('sublight_unstable_partition', ([peers, mode]) => {
        if (!Array.isArray(peers) || !peers.every((p) => typeof p === 'string')) throw new RpcError(INVALID_PARAMS, 'a list of peer ids is expected')
        if (mode !== undefined && mode !== null && mode !== 'block' && mode !== 'allow') throw new RpcError(INVALID_PARAMS, "mode is 'block' (default) or 'allow'")
        try {
          host.partition(peers as string[], mode === 'allow' ? 'allow' : 'block')
        } catch (e) {
          throw new RpcError(INVALID_PARAMS, `not a peer id: ${(e as Error).message}`)
        }
        return null
      })
      // the devnet's collation channel: a collator hands its candidate (SCALE `CommittedCandidateReceipt`,
      // hex) for the relay block after its relay parent (see `para-backing.ts`)
      if (paraBacking)
        registry.method('sublight_unstable_submitCollation', ([receipt]) => {
          if (typeof receipt !== 'string') throw new RpcError(INVALID_PARAMS, 'a hex-encoded CommittedCandidateReceipt is expected')
          try {
            paraBacking.submit(decodeCommittedCandidateReceipt(fromHex(receipt)))
          } catch (e) {
            throw new RpcError(INVALID_PARAMS, `not a CommittedCandidateReceipt: ${(e as Error).message}`)
          }
          return null
        })
      try {
        node.rpc = await RpcServer.start(registry, { port: o.rpcPort ?? 9944, host: o.rpcHost, cors: o.rpcCors })
      } catch (e) {
        await host.stop()
        throw new DevNodeError(e instanceof RpcServerError ? e.message : `JSON-RPC server: ${(e as Error).message}`)
      }
    }
    const started = node
    if (o.clock) started.clock = o.clock
    if (o.history) {
      const blocksPerEpoch = Math.max(o.history.blocksPerEpoch ?? HISTORY_BLOCKS_PER_EPOCH, o.rotateSessionKeys ? 2 : 1)
      const intervalMs = o.history.intervalMs ?? HISTORY_INTERVAL_MS
      // a network's history: every node reads the same past slots from one clock and authors its own claims
      if (o.history.startsAt !== undefined)
        started.clock = sharedHistoryClock({ startsAt: o.history.startsAt, epochs: o.history.epochs, epochSlots: authoring.epochDuration!, slotMs: authoring.slotMs, slotsPerEpoch: blocksPerEpoch, intervalMs: Math.max(1, intervalMs) })
      else started.history = { epochs: o.history.epochs, blocksPerEpoch, intervalMs }
    }
    if (o.rotateSessionKeys) started.rotating = rotationSigners(o.keys)
    // after a restart, never author again in the slot of the stored best block
    if (best.header.number > 0) started.lastSlot = authoring.slotOf(best.header)
    if (o.collator) {
      try {
        started.collator = await Collator.start(started, { relay: o.collator.relay, paraId: o.collator.paraId, key: keys[0], log })
      } catch (e) {
        await started.stop()
        throw new DevNodeError((e as Error).message)
      }
      return started
    }
    started.timer = setTimeout(() => started.tick(), 0)
    started.voting = new GrandpaVoting(chain, host, sets, grandpaKeys, log)
    return started
  }

  /** Calls `fn` each time voting among nodes finalizes a block; returns the unsubscribe. */
  onFinality(fn: (s: FinalityStatus) => void): () => void {
    return this.voting?.onFinality(fn) ?? (() => false)
  }

  /**
   * The pool and the voter follow the chain: a new best block includes transactions; a reorg makes
   * those of the retracted blocks pending again (and offers the others' extrinsics to the pool, as
   * Substrate re-queues them); finality settles them; a new block may let the voter move on.
   */
  private followChain(): void {
    this.chain.onEvent((e) => {
      if (e.kind === 'finalized') {
        this.pool.finalized(e.header.number)
        this.voting?.finalized()
        return
      }
      const reorg = e.reorg
      if (reorg) {
        for (const b of reorg.retracted) {
          for (const tx of this.pool.blockRetracted(b.hash, b.body)) {
            try {
              this.submit(tx, TX_SOURCE_EXTERNAL)
            } catch {
              // an inherent, or a transaction the new best chain already holds or makes invalid
            }
          }
        }
        for (const b of reorg.enacted) this.pool.blockImported(b.hash, b.header.number, b.body)
      } else if (e.kind === 'block' && e.best) {
        const b = this.chain.block(e.hash)
        if (b) this.pool.blockImported(b.hash, b.header.number, b.body)
      }
      this.voting?.kick()
    })
  }

  /** Calls `fn` after each authored block; returns the unsubscribe. */
  onBlock(fn: (s: BlockStatus) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** The runtime's verdict on a transaction at the best block. */
  validate(tx: Uint8Array, source: number): TransactionValidity {
    const best = this.chain.bestBlock
    const version = runtimeApiVersion(best.state, 'TaggedTransactionQueue')
    if (version === undefined) throw new DevNodeError('the runtime has no TaggedTransactionQueue API')
    const out = runtimeAt(best.state).call('TaggedTransactionQueue_validate_transaction', validateTransactionArgs(source, tx, best.hash, version), { storage: best.state }).output
    return decodeTransactionValidity(out)
  }

  /**
   * Validates and pools a transaction, then gossips it (except back to `fromPeer`). Throws PoolError
   * (invalid, duplicate, full) or an executor error when the runtime cannot even decode it.
   */
  submit(tx: Uint8Array, source: number, fromPeer?: string): { hash: Uint8Array; status: 'ready' | 'future' } {
    const res = this.pool.submit(tx, this.validate(tx, source))
    // after the submitter's response has gone out (its subscription id must come before its events)
    setTimeout(() => {
      this.pool.announceStatus(res.hash)
      const peers = this.host.gossipTransactions([tx], fromPeer)
      this.pool.broadcast(res.hash, peers)
    }, 0)
    return res
  }

  /**
   * Transactions a peer gossiped: each is judged on its own, so a duplicate or an invalid one never costs
   * the others (smoldot re-gossips the same transaction every few seconds). The peer's reputation follows
   * Substrate: up for a valid new transaction, down for one the runtime rejects, unchanged for a
   * duplicate (not even re-validated) or a verdict the runtime could not give.
   */
  receiveFromPeer(peer: string, txs: readonly Uint8Array[]): void {
    for (const tx of txs) {
      if (this.pool.has(txHash(tx))) continue
      try {
        this.submit(tx, TX_SOURCE_EXTERNAL, peer)
        this.host.reportPeer(peer, REP.GOOD_TRANSACTION)
      } catch (e) {
        const neutral = e instanceof PoolError && (e.code === 'AlreadyImported' || e.code === 'Unknown' || e.code === 'PoolFull' || e.code === 'TemporarilyBanned')
        if (!neutral) this.host.reportPeer(peer, REP.BAD_TRANSACTION)
        this.log(`transaction from ${peer} not pooled: ${(e as Error).message}`)
      }
    }
  }

  private tick(): void {
    if (this.stopped) return
    const early = (this.clock.startsAt ?? 0) - Date.now()
    if (early > 0) {
      this.timer = setTimeout(() => this.tick(), early)
      return
    }
    const slotMs = this.authoring.slotMs
    const slot = BigInt(Math.floor(this.clock.now())) / slotMs
    const past = this.historySlot(slot)
    if (past !== undefined) {
      this.lastSlot = past
      this.author(past)
      this.timer = setTimeout(() => this.tick(), this.history!.intervalMs)
      return
    }
    if (slot > this.lastSlot) {
      this.lastSlot = slot
      this.author(slot)
    }
    const wait = Number(slotMs - (BigInt(Math.floor(this.clock.now())) % slotMs)) + 5
    this.timer = setTimeout(() => this.tick(), this.clock.realMs(wait))
  }

  /**
   * In history mode, the next past slot to author (the next of the first `blocksPerEpoch` slots of an
   * epoch, counted from block #1's slot), or undefined once that slot is not in the past any more.
   */
  private historySlot(now: bigint): bigint | undefined {
    const h = this.history
    const d = this.authoring.epochDuration
    if (!h || d === undefined) return undefined
    const best = this.chain.bestBlock.header
    let next: bigint
    if (best.number === 0) next = now - BigInt(h.epochs) * d
    else {
      const last = this.authoring.slotOf(best)
      const offset = (last - this.authoring.slotOf(this.chain.blockAt(1)!.header)) % d
      next = offset + 1n < BigInt(h.blocksPerEpoch) ? last + 1n : last - offset + d
    }
    // a slot we could not author is not tried again
    if (next <= this.lastSlot) next = this.lastSlot + 1n
    if (next < now) return next
    this.history = undefined
    return undefined
  }

  /** This node's own extrinsics for a block on `best`: session key rotations, when enabled. */
  private ownExtrinsics(best: { state: MemoryStorage }): Uint8Array[] {
    if (!this.rotating.length) return []
    try {
      const code = best.state.get(utf8(':code'))!
      if (this.signing?.code !== code) this.signing = { code, ctx: signingContext(best.state, this.chain.genesisHash) }
      return sessionKeyRotations(best.state, this.signing.ctx, this.rotating)
    } catch (e) {
      this.log(`session key rotation stopped: ${(e as Error).message}`)
      this.rotating = []
      return []
    }
  }

  /**
   * Whether to sit this slot out: a validator of a network (voting with others) does not author while a
   * peer is ahead of it (it is still syncing, and would fork off a chain already finalized elsewhere),
   * nor in its first two slots before any peer has connected (after a restart, peers are seconds away).
   */
  private syncing(): boolean {
    if (!this.voting?.active || !this.sync) return false
    const ahead = this.sync.highestPeerBlock
    if (ahead > this.chain.best().number) {
      // not for ever: a peer's last announced head may be a fork that finality pruned, which no one
      // imports; after two slots behind the same head, the node authors again
      if (this.behind?.number !== ahead) this.behind = { number: ahead, since: Date.now() }
      if (Date.now() - this.behind.since < 2 * Number(this.authoring.slotMs)) return true
    }
    return this.host.peers.size === 0 && Date.now() - this.startedAt < 2 * Number(this.authoring.slotMs)
  }
  private readonly startedAt = Date.now()
  private behind: { number: number; since: number } | undefined

  private author(slot: bigint): void {
    const best = this.chain.bestBlock
    if (this.syncing()) return
    try {
      const claim = this.authoring.claim(slot, best.header, best.state)
      if (!claim) return
      const own = this.ownExtrinsics(best)
      const { block, hash } = this.adopt(authorBlock({ parent: best.header, parentState: best.state, ...claim, extrinsics: [...own, ...this.pool.ready()] }), own)
      this.authoring.added(block.header)
      // finality trails the best block by one, as GRANDPA on a live network does: light clients (smoldot)
      // validate transactions against a best block that is not yet final
      const target = this.chain.blockAt(block.header.number - 1)
      // signed by the set in force at the target (a change signalled in the new block is not yet its set)
      const set = target && !this.voting?.active ? this.grandpa.sets.justifyingNow(target.header.number) : undefined
      if (!this.voting?.active && target && set && target.header.number > this.chain.finalized().number && holdsSupermajority(set.authorities, this.grandpa.keys)) {
        const { justification, encoded } = localJustification(target.header, ++this.round, set, this.grandpa.keys)
        this.chain.finalize(target.hash, encoded)
        this.host.gossipFinality(justification, set.setId)
      }
      this.reportBlock(block.header.number, hash)
    } catch (e) {
      this.log(`slot ${slot}: block production failed: ${(e as Error).message}`)
    }
  }

  /** A block we built joins the chain and is announced; the pool drops what the runtime rejected. */
  private adopt(built: Authored, own: readonly Uint8Array[] = []): { block: Authored['block']; hash: Uint8Array } {
    const { block, state } = built
    const hash = this.chain.add(block, state)
    this.host.announce(block.header, true)
    for (const tx of built.rejected) if (!own.includes(tx)) this.pool.drop(txHash(tx), 'rejected by the runtime when building a block')
    this.pool.revalidate((tx) => this.validate(tx, TX_SOURCE_EXTERNAL))
    return { block, hash }
  }

  /**
   * A collator's block (see `collator.ts`): `build` authors it on `parent` (a block of ours with state)
   * with the pool's ready transactions; it joins the chain like any block we author. Throws when `parent`
   * has no state or the runtime refuses the block.
   */
  authorOn(parent: Uint8Array, build: (parent: Header, parentState: MemoryStorage, extrinsics: Uint8Array[]) => Authored): { block: Authored['block']; state: MemoryStorage; hash: Uint8Array } {
    const b = this.chain.block(parent)
    const parentState = this.chain.stateOf(parent)
    if (!b || !parentState) throw new DevNodeError(`no state for the parent block ${toHex(parent)}`)
    const built = build(b.header, parentState, this.pool.ready())
    const { block, hash } = this.adopt(built)
    this.reportBlock(block.header.number, hash)
    return { block, state: built.state, hash }
  }

  /** The status of a block we authored, to `onBlock` listeners. */
  private reportBlock(number: number, hash: Uint8Array): void {
    const status = { number, hash, finalized: this.chain.finalized().number, peers: this.host.libp2p.getPeers().length, txs: this.pool.pending }
    for (const fn of this.listeners) fn(status)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.collator?.stop()
    clearTimeout(this.timer)
    this.voting?.stop()
    this.sync?.detach()
    await this.rpc?.stop()
    await this.host.stop()
    this.chain.close()
  }
}
