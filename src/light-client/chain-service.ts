// One chain followed by the light client: a thin adapter composing its services into the `ChainAccess`
// the JSON-RPC layer answers from. Arrows run one way:
//   ChainService → sync service (`StandaloneSync` | `ParachainSync`) → runtime service / proven storage
//   → network service → src/network.
// The start point (database, checkpoint or genesis) is `start-point.ts`; the finalized database is built
// here from what the services hold.

import type { Transports } from '../network/transports.ts'
import { bytesEqual } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import type { MemoryStorage, RuntimeVersion } from '../executor/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import { encodeDatabase } from './database.ts'
import { ChainAccessError, type BlockRef, type ChainAccess } from '../json-rpc/index.ts'
import type { LightSync } from '../sync/index.ts'
import type { NetworkHost } from '../network/index.ts'
import { NetworkService, addressAllowed, type TransportBans } from './network-service.ts'
import { ProvenStorage } from './storage.ts'
import { RuntimeService, type BlockRuntime, type CallRunner } from './runtime-service.ts'
import { describeStart, startPoint, type StartPoint } from './start-point.ts'
import { SyncService, type ChainListener } from './sync-service.ts'
import { StandaloneSync } from './standalone-sync.ts'
import { ParachainSync } from './para-sync-service.ts'

export { ChainAccessError, addressAllowed, type BlockRuntime, type ChainListener }

/** A peer's best block this far above ours means we are still syncing (as Substrate's major-sync distance). */
const SYNCING_DISTANCE = 5

export interface ChainServiceOptions {
  spec: ChainSpec
  log: (level: number, message: string) => void
  /** The platform's transports (`nodeTransports` on Node.js, `browserTransports` in a page or worker). */
  transports: Transports
  /** Extra peers to dial besides the spec's boot nodes. */
  bootNodes?: string[]
  now?: () => number
  /**
   * A finalized database (`chainHead_unstable_finalizedDatabase`) to start from instead of the spec's
   * genesis; one that is malformed or of another chain is ignored with a warning.
   */
  database?: string
  /**
   * Blocks a peer may be ahead of our finalized block before we warp to it again instead of fetching the
   * blocks in between (default 128, the most one ancestry request fetches).
   */
  warpThreshold?: number
  /** A parachain: the relay chain's service (already started) and the para id it is registered under. */
  relay?: { chain: ChainService; paraId: number }
  /** smoldot's transport bans: addresses they exclude are never dialled. */
  forbid?: TransportBans
  /** Where calls over call proofs run (a worker with a time limit on Node.js); in this thread when absent. */
  callRunner?: CallRunner
}

export class ChainService implements ChainAccess {
  readonly genesisHash: Uint8Array
  private readonly syncService: SyncService
  private network: NetworkService | undefined
  private storageService!: ProvenStorage
  private runtimeService!: RuntimeService
  /** The spec's genesis state (raw genesis specs started at genesis): what genesis questions are answered from. */
  private genesisState: MemoryStorage | undefined

  private constructor(
    private readonly o: ChainServiceOptions,
    private readonly startAt: StartPoint,
  ) {
    this.genesisHash = startAt.genesisHash
    this.genesisState = startAt.genesisState
    const warpThreshold = o.warpThreshold ?? 128
    if (o.relay) this.syncService = new ParachainSync(startAt, o.relay.chain, o.relay.paraId, warpThreshold, o.log)
    else {
      const s = new StandaloneSync({ spec: o.spec, warpThreshold, start: startAt }, o.log)
      s.storageGenesis = (g) => (this.genesisState = g.genesisState)
      this.syncService = s
    }
    o.log(3, `starting from ${describeStart(startAt)}`)
  }

  static async start(o: ChainServiceOptions): Promise<ChainService> {
    const svc = new ChainService(o, await startPoint(o.spec, { database: o.database, parachain: o.relay && `${o.relay.paraId} of ${o.relay.chain.specId}`, log: o.log }))
    try {
      await svc.startServices()
      return svc
    } catch (e) {
      // nothing started is left running: no socket, no timer
      await svc.stop().catch(() => {})
      throw e
    }
  }

  /** Starts the network service, dials the boot and saved peers, and starts following. */
  private async startServices(): Promise<void> {
    const o = this.o
    const sync = this.syncService
    this.network = await NetworkService.start({
      spec: o.spec,
      genesisHash: this.genesisHash,
      transports: o.transports,
      forbid: o.forbid,
      log: o.log,
      finalized: () => ({ number: sync.sync.finalized.header.number, hash: sync.sync.finalized.hash }),
      // nothing reaches the sync service before it is attached to the services it asks
      events: {
        onPeer: (peer, n, h) => this.attached && sync.onPeer(peer, n, h),
        onAnnounce: (peer, header) => this.attached && sync.onAnnounce(peer, header),
        onGrandpa: (peer, m) => this.attached && sync.onGrandpa(peer, m),
      },
    })
    if (this.stopped) return
    this.storageService = new ProvenStorage(this.network, sync, (hash) => this.local(hash))
    this.runtimeService = new RuntimeService(this.network, this.storageService, sync, o.log, o.callRunner)
    if (this.startAt.runtime) this.runtimeService.seed(headerHash(this.startAt.finalized), this.startAt.runtime)
    sync.attach({ net: this.network, runtimes: this.runtimeService, log: o.log, now: o.now ?? Date.now })
    this.attached = true
    sync.start()
    for (const b of new Set([...o.spec.bootNodes.map((b) => b.address), ...(o.bootNodes ?? [])])) this.network.keep(b, 'boot', 'boot node')
    for (const p of this.startAt.peers) this.network.keep(p, 'saved', 'saved peer')
  }

  /** The genesis state when `hash` is the genesis block and the spec gave it. */
  private local(hash: Uint8Array): MemoryStorage | undefined {
    return this.genesisState && bytesEqual(hash, this.genesisHash) ? this.genesisState : undefined
  }

  /** The light client's view of the chain (what the transactions service watches). */
  get sync(): LightSync {
    return this.syncService.sync
  }
  get host(): NetworkHost {
    return this.network!.host
  }
  get ready(): Promise<void> {
    return this.syncService.ready
  }
  /** True once the starting finalized block and its runtime are known (warp done, or no peer came). */
  get isReady(): boolean {
    return this.syncService.isReady
  }
  /** The chain spec's id (what parachain specs name as their `relay_chain`). */
  get specId(): string {
    return this.o.spec.id
  }

  /** Adds a peer found by the user (`sudo_unstable_p2pDiscover`) to the peer set, honouring the transport bans. */
  discover(addr: string): void {
    this.network?.keep(addr, 'discovered', 'peer')
  }

  /**
   * The finalized database: our finalized block with the consensus state after it, and the peers that
   * serve this chain; at most `maxSize` characters (peers dropped first).
   */
  finalizedDatabase(maxSize?: number): string {
    const fin = this.sync.finalized
    const consensus = this.sync.consensusAt(fin.hash)!
    const rt = this.runtimeService?.loaded(fin.hash)
    const peers = this.network?.peerAddresses() ?? []
    return encodeDatabase({ genesisHash: this.genesisHash, finalized: fin.header, grandpa: consensus.grandpa, consensus: consensus.consensus, peers, runtime: rt && { code: rt.code, heapPages: rt.heapPages } }, maxSize)
  }

  onEvent(fn: ChainListener): () => void {
    return this.syncService.onEvent(fn)
  }

  header(hash: Uint8Array): Header | undefined {
    return this.syncService.header(hash)
  }
  /** A block older than our starting point (or otherwise unknown): its header from a peer, checked by its hash, then known. */
  async lookupHeader(hash: Uint8Array): Promise<Header | undefined> {
    const known = this.header(hash)
    if (known || !this.storageService) return known
    const header = await this.storageService.headerByHash(hash)
    if (header) this.syncService.blocks.add(hash, header)
    return header
  }
  pin(hash: Uint8Array): void {
    this.syncService.blocks.pin(hash)
  }
  unpin(hash: Uint8Array): void {
    this.syncService.blocks.unpin(hash)
  }
  finalized(): BlockRef {
    return this.sync.finalized
  }
  best(): BlockRef {
    return this.sync.best
  }
  blocksAbove(): Iterable<BlockRef> {
    return this.sync.blocksAbove()
  }
  /** The hashes from the best block down to the finalized one. */
  *bestChain(): Generator<Uint8Array> {
    for (let b: BlockRef | undefined = this.sync.best; b; b = this.sync.block(b.header.parentHash)) yield b.hash
  }
  /** Sends transactions to every peer we hold a transactions substream with; the peers they went to. */
  gossipTransactions(txs: Uint8Array[]): string[] {
    return this.network?.host.gossipTransactions(txs) ?? []
  }
  hashAt(number: number): Uint8Array | undefined {
    if (number >= this.sync.finalized.header.number) return this.sync.canonicalAt(number)?.hash
    return this.syncService.blocks.finalizedAt(number)
  }
  /** Whether the block's header says its runtime changed (`RuntimeEnvironmentUpdated`). */
  runtimeChanged(hash: Uint8Array): boolean {
    return this.header(hash)?.digest.some((d) => d.type === 'runtimeEnvironmentUpdated') ?? false
  }

  body(hash: Uint8Array): Promise<Uint8Array[]> {
    return this.storageService.body(hash)
  }
  bodyWithJustification(hash: Uint8Array): Promise<{ body: Uint8Array[]; justification?: Uint8Array }> {
    return this.storageService.bodyWith(hash, true)
  }
  storage(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<(Uint8Array | undefined)[]> {
    return this.storageService.values(hash, keys, childKey)
  }
  closestDescendantMerkleValue(hash: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Promise<Uint8Array | undefined> {
    return this.storageService.closestDescendantMerkleValue(hash, key, childKey)
  }
  descendants(hash: Uint8Array, prefix: Uint8Array, childKey?: Uint8Array, startAfter?: Uint8Array): AsyncGenerator<[Uint8Array, Uint8Array]> {
    return this.storageService.descendants(hash, prefix, childKey, startAfter)
  }
  readProof(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<Uint8Array[]> {
    return this.storageService.readProof(hash, keys, childKey)
  }
  /** The runtime in force at `hash`, with its heap pages (downloaded and compiled once). */
  runtimeAt(hash: Uint8Array): Promise<BlockRuntime> {
    return this.runtimeService.runtimeAt(hash)
  }
  call(hash: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array> {
    return this.runtimeService.call(hash, method, args)
  }
  runtimeVersion(hash: Uint8Array): Promise<RuntimeVersion> {
    return this.runtimeService.runtimeVersion(hash)
  }

  /** Peers we hold a block-announces handshake with (what `system_health` and `system_peers` count). */
  get peerCount(): number {
    return this.network?.announcingPeers().length ?? 0
  }

  /**
   * Whether the client is still catching up (`system_health.isSyncing`): no peer yet (offline: what it
   * shows may be months old), the starting warp not done, or the best block far below a peer's.
   */
  get isSyncing(): boolean {
    const peers = this.network?.announcingPeers() ?? []
    if (peers.length === 0 || !this.isReady) return true
    const best = this.sync.best.header.number
    return peers.some((p) => (p.handshake?.bestNumber ?? 0) > best + SYNCING_DISTANCE)
  }

  private attached = false
  private stopped = false
  async stop(): Promise<void> {
    this.stopped = true
    this.syncService.stop()
    await this.network?.stop()
  }
}
