// The syncing full node (`sublight node`): drives the BlockSync machine with the libp2p host and
// imports what it downloads with full verification — the Aura seal against the runtime's authorities,
// or the BABE slot claim, VRF and seal against the epochs tracked from genesis (`babe-chain.ts`),
// execution of the body on the parent state (the runtime checks the state and extrinsics roots), and
// GRANDPA justifications against the authority set in force at each block (set changes followed from
// header digests and finality, `grandpa-sets.ts`) — into a DevChain that it also serves. Every valid
// block is imported, forks too; the chain picks the best one. Peers that send blocks failing any of
// these are banned. `sublight dev` runs one too, on the host it authors with (`attach`), so validators
// import each other's blocks. Timers and sockets live here; the logic is in sync.ts.

import { peerIdFromString } from '@libp2p/peer-id'
import { Reader, bytesEqual } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { headerHash } from '../header/index.ts'
import { NetworkHost, type GrandpaCommit, type GrandpaGossip, type HostOptions } from '../network/index.ts'
import { AuraVerifyError, BabeVerifyError, auraSlot, verifyAuraHeader } from '../verify/index.ts'
import { decodeJustification, encodeJustification, verifyJustification } from '../finality/index.ts'
import { BlockError, executeBlock } from './block-builder.ts'
import { genesisState, type DevChain } from './dev-chain.ts'
import { GrandpaSets, genesisGrandpaSet, grandpaSetsOf } from './grandpa-sets.ts'
import { PendingCommits, decodeBabeConfiguration, justificationFromCommit } from '../sync/index.ts'
import { BabeChain } from './babe-chain.ts'
import { auraSchemeAt, runtimeAt } from './runtime-apis.ts'
import { BlockSync, type SyncedBlock } from './sync.ts'
import { nodeTransports } from '../platform/node.ts'

export interface SyncServiceOptions {
  spec: ChainSpec
  chain: DevChain
  listen: string[]
  bootNodes: string[]
  nodeKey?: Uint8Array
  log?: (line: string) => void
  /** Wall-clock time in ms (tests run a devnet on an accelerated clock); blocks from a later slot are refused. */
  now?: () => number
}

/** What `SyncService.create` needs: the chain and how to judge its blocks, no network yet. */
export interface SyncCoreOptions {
  spec: ChainSpec
  chain: DevChain
  log?: (line: string) => void
  now?: () => number
  /** The GRANDPA sets along `chain`, when the caller tracks them already (one tracker per chain). */
  sets?: GrandpaSets
  /** BABE epochs along `chain`, when the caller tracks them already. */
  babeEpochs?: BabeChain
  /** GRANDPA gossip other than commits (votes, catch-ups), for a voter. */
  onGrandpa?: (peer: string, m: GrandpaGossip) => void
}

export interface ImportStatus {
  number: number
  hash: Uint8Array
  finalized: number
  peers: number
}

/** Why a downloaded block was refused (the sender is banned). */
export class ImportError extends Error {
  override readonly name = 'ImportError'
}

export class SyncService {
  private readonly machine: BlockSync
  private readonly listeners = new Set<(s: ImportStatus) => void>()
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly grandpa: GrandpaSets
  /** The chain's block verification: Aura or BABE (neither: the node only serves what it holds). */
  private readonly aura: { slotMs: bigint; scheme: 'sr25519' | 'ed25519' } | undefined
  private readonly babe: { slotMs: bigint; epochs: BabeChain } | undefined
  private now: () => number = Date.now
  host!: NetworkHost

  private readonly onGrandpaOther: ((peer: string, m: GrandpaGossip) => void) | undefined

  private constructor(
    readonly chain: DevChain,
    spec: ChainSpec,
    private readonly log: (line: string) => void,
    o: Pick<SyncCoreOptions, 'sets' | 'babeEpochs' | 'onGrandpa'> = {},
  ) {
    this.machine = new BlockSync({
      best: () => chain.best(),
      finalizedNumber: () => chain.finalized().number,
      hashAt: (n) => chain.blockAt(n)?.hash,
      has: (h) => chain.block(h) !== undefined,
    })
    this.onGrandpaOther = o.onGrandpa
    const genesis = genesisState(spec)
    this.grandpa = o.sets ?? grandpaSetsOf(chain, genesisGrandpaSet(genesis))
    const rt = runtimeAt(genesis)
    const call = (m: string) => rt.call(m, new Uint8Array(), { storage: genesis }).output
    if (rt.hasExport('AuraApi_slot_duration')) this.aura = { slotMs: new Reader(call('AuraApi_slot_duration')).u64(), scheme: auraSchemeAt(genesis) }
    else if (rt.hasExport('BabeApi_configuration')) {
      const conf = decodeBabeConfiguration(call('BabeApi_configuration'))
      this.babe = { slotMs: conf.slotMs, epochs: o.babeEpochs ?? new BabeChain(conf.genesis, chain.headers()) }
    }
  }

  static async start(o: SyncServiceOptions): Promise<SyncService> {
    const svc = SyncService.create(o)
    const host = await NetworkHost.start({
      server: o.chain,
      protocolId: o.spec.protocolId,
      listen: o.listen,
      transports: nodeTransports(),
      nodeKey: o.nodeKey,
      log: svc.log,
      ...svc.hostHandlers(),
    })
    svc.attach(host, o.bootNodes)
    return svc
  }

  /** The import side alone, for a caller that runs its own host (`hostHandlers`, then `attach`). */
  static create(o: SyncCoreOptions): SyncService {
    const svc = new SyncService(o.chain, o.spec, o.log ?? (() => {}), o)
    if (o.now) svc.now = o.now
    if (!svc.aura && !svc.babe) svc.log('this chain is neither Aura nor BABE: serving the blocks held, not importing')
    return svc
  }

  /** The host callbacks this service needs: peers' best blocks, announces, GRANDPA gossip. */
  hostHandlers(): Pick<HostOptions, 'onPeer' | 'onAnnounce' | 'onPeerGone' | 'onGrandpa'> {
    return {
      onPeer: (peer, hs) => {
        this.machine.peerBest(peer, hs.bestNumber, hs.bestHash)
        this.pump()
      },
      onAnnounce: (peer, a) => {
        this.machine.peerBest(peer, a.header.number, headerHash(a.header))
        this.pump()
      },
      onPeerGone: (peer) => this.machine.peerGone(peer),
      onGrandpa: (peer, m) => {
        if (m.kind === 'commit') this.onCommit(peer, m)
        else if (m.kind === 'neighbor') this.machine.peerFinalized(peer, m.finalizedHeight)
        this.onGrandpaOther?.(peer, m)
      },
    }
  }

  /** Starts syncing over `host` (built with `hostHandlers`), keeping `bootNodes` connected. */
  attach(host: NetworkHost, bootNodes: readonly string[]): void {
    this.host = host
    this.announceGrandpaState()
    // kept connected: dialled again with back-off whenever they are not (a restarted peer, a network blip)
    for (const b of bootNodes) host.keepConnected(b, 'boot')
    this.timer = setInterval(() => this.pump(), 1000)
  }

  /** Stops the timer (the host and the chain are the caller's). */
  detach(): void {
    clearInterval(this.timer)
    this.stopped = true
  }
  private stopped = false

  /** The highest best block a peer told us about. */
  get highestPeerBlock(): number {
    return this.machine.highestPeerBlock
  }

  /** Calls `fn` after each imported block. */
  onImport(fn: (s: ImportStatus) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private pump(): void {
    if ((!this.aura && !this.babe) || this.stopped) return
    for (let r = this.machine.nextRequest(); r; r = this.machine.nextRequest()) {
      const { peer, request } = r
      this.host.requestBlocks(peer, request).then(
        (data) => {
          const res = this.machine.onResponse(peer, data)
          if (!res.ok) this.punish(peer, res.reason)
          else void this.importAll(peer, res.blocks)
        },
        (e) => {
          this.machine.requestFailed(peer)
          this.log(`block request to ${peer}: ${(e as Error).message}`)
        },
      )
    }
  }

  private punish(peer: string, reason: string): void {
    this.machine.peerGone(peer)
    this.host.ban(peerIdFromString(peer), reason)
  }

  private importAll(peer: string, blocks: SyncedBlock[]): Promise<void> {
    // one import at a time, in arrival order (blocks of concurrent responses would race for the same
    // parent): each response's import is chained after the previous one, no polling
    this.importQueue = this.importQueue.then(() => this.importNow(peer, blocks))
    return this.importQueue
  }
  private importQueue: Promise<void> = Promise.resolve()

  private async importNow(peer: string, blocks: SyncedBlock[]): Promise<void> {
    try {
      for (const b of blocks) this.importOne(b)
      this.retryPendingCommits()
    } catch (e) {
      // a bad block bans its sender; anything else (our own failure) is logged, never thrown out of
      // this detached task (it would end the process)
      if (e instanceof ImportError) this.punish(peer, e.message)
      else this.log(`import of blocks from ${peer} failed: ${(e as Error)?.message ?? String(e)}`)
    }
    this.pump()
  }

  /** Verifies and imports one block (or only its justification, when the block is already known). */
  private importOne(b: SyncedBlock): void {
    const finalizedBefore = this.chain.finalized().number
    const isNew = !this.chain.block(b.hash)
    if (isNew) {
      // a fork below our finalized block is dead
      if (b.header.number <= this.chain.finalized().number) return
      const parent = this.chain.block(b.header.parentHash)
      if (!parent?.state) return // unknown parent, or below our kept states: nothing to check it against
      try {
        if (this.aura) {
          const authorities = new Reader(runtimeAt(parent.state).call('AuraApi_authorities', new Uint8Array(), { storage: parent.state }).output).vec((r) => r.bytes_(32))
          // a block from a later slot than ours is refused (one slot of clock drift is tolerated)
          const currentSlot = BigInt(Math.floor(this.now())) / this.aura.slotMs
          verifyAuraHeader(b.header, { authorities, scheme: this.aura.scheme, currentSlot, allowedDrift: 1n, parentSlot: parent.header.number === 0 ? undefined : auraSlot(parent.header) })
        } else {
          const babe = this.babe!
          // one slot of clock drift tolerated here too
          babe.epochs.verify(b.header, parent.header, BigInt(Math.floor(this.now())) / babe.slotMs + 1n)
        }
      } catch (e) {
        if (e instanceof AuraVerifyError || e instanceof BabeVerifyError) throw new ImportError(`block #${b.header.number}: ${e.message}`)
        throw e
      }
      let state
      try {
        state = executeBlock(parent.state, { header: b.header, body: b.body })
      } catch (e) {
        if (e instanceof BlockError) throw new ImportError(e.message)
        throw e
      }
      this.chain.add({ header: b.header, body: b.body }, state)
      // like any Substrate full node, announce the new block (and whether it is our best): light clients
      // whose peers are full nodes (most of a live network) learn new blocks from these announces
      this.host.announce(b.header, bytesEqual(this.chain.bestBlock.hash, b.hash))
    }
    if (b.justification && b.header.number > this.chain.finalized().number) {
      try {
        const j = decodeJustification(b.justification)
        verifyJustification(j, this.grandpa.at(b.header.number), { hash: b.hash, number: b.header.number })
      } catch (e) {
        throw new ImportError(`justification of #${b.header.number}: ${(e as Error).message}`)
      }
      this.chain.finalize(b.hash, b.justification)
      this.announceGrandpaState()
    }
    if (!isNew && this.chain.finalized().number === finalizedBefore) return
    const status = { number: b.header.number, hash: b.hash, finalized: this.chain.finalized().number, peers: this.host.libp2p.getPeers().length }
    for (const fn of this.listeners) fn(status)
  }

  /**
   * A GRANDPA commit a peer gossiped: once its blocks are ours and it is for the set in force at its
   * target, it is verified like a justification and finalizes the target. A commit that fails
   * verification bans its sender; one for blocks we have not imported yet is kept until they come
   * (`PendingCommits`); one for another set, or beyond a set change we have not finalized, is ignored.
   */
  onCommit(peer: string, commit: GrandpaCommit): void {
    if (commit.targetNumber <= this.chain.finalized().number) return
    const j = justificationFromCommit(commit, this.chain)
    if (!j) return this.pendingCommits.hold(peer, commit)
    let set
    try {
      set = this.grandpa.at(commit.targetNumber)
    } catch {
      return // beyond a set change we have not finalized: not ours to judge yet
    }
    if (commit.setId !== set.setId) return
    try {
      verifyJustification(j, set, { hash: commit.targetHash, number: commit.targetNumber })
    } catch (e) {
      this.punish(peer, `GRANDPA commit for #${commit.targetNumber}: ${(e as Error).message}`)
      return
    }
    this.chain.finalize(commit.targetHash, encodeJustification(j))
    // pass the commit on to the peers on its set that have not finalized its target (Substrate's gossip
    // validator propagates valid commits): a light client behind full nodes learns finality from them
    this.host.gossipFinality(commit, commit.setId)
    this.announceGrandpaState()
    const best = this.chain.best()
    const status = { number: best.number, hash: best.hash, finalized: this.chain.finalized().number, peers: this.host.libp2p.getPeers().length }
    for (const fn of this.listeners) fn(status)
  }

  /** Tries the commits that waited for their blocks again (after an import). */
  private retryPendingCommits(): void {
    if (this.pendingCommits.size === 0) return
    for (const [peer, commit] of this.pendingCommits.take(this.chain.finalized().number, (c) => justificationFromCommit(c, this.chain) !== undefined)) this.onCommit(peer, commit)
  }
  private readonly pendingCommits = new PendingCommits()

  /** Tells peers our set and finalized height: Substrate peers (and ours) send commits only to peers on their set. */
  private announceGrandpaState(): void {
    this.host.announceGrandpaState(this.grandpa.finalizedSetId, this.chain.finalized().number)
  }

  async stop(): Promise<void> {
    this.detach()
    await this.host.stop()
    this.chain.close()
  }
}

