// The libp2p host (service layer): the platform's transports (`transports.ts`), noise, yamux, identify and, for
// a full node, Kademlia on `/<genesis>/kad` and ping (js-libp2p's, `full-node-services.ts`; a light client
// only sends FIND_NODE requests, `requests.ts`), plus Substrate's protocols on top:
// block-announces/transactions/grandpa notification substreams (handshake both ways) and the sync/2,
// light/2 and sync/warp request-response protocols, answered by a ChainServer. Peers that send
// malformed or oversized data, the wrong genesis, or open substreams in a loop are dropped and banned;
// slow peers (timeouts) and bad transactions only lower the peer's reputation (`reputation.ts`).
//
// This file is the facade the services call, and what peers' messages mean for the peers it keeps. The
// handlers of the substreams peers open, our own ping among them, are in `inbound.ts`; reading framed
// messages off substreams and the optimistic multistream-select of our requests in `substreams.ts`; our
// requests themselves in `requests.ts`; our outbound notification substreams and the gossip rules on
// them in `gossip.ts`; who we dial, ban and partition from, and the one timer for it, in `peering.ts`;
// how bytes leave (yamux frames and noise messages in as few writes as possible) in `muxer-writes.ts`,
// `encrypted-writes.ts` and `yamux-windows.ts`.

import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { toHex } from '../codec/index.ts'
import { libp2pLogger } from './libp2p-logger.ts'
import { headerHash, type Header } from '../header/index.ts'
import {
  ProtocolError,
  ROLE_FULL,
  ROLE_LIGHT,
  decodeHandshake,
  encodeHandshake,
  type BlockAnnounce,
  type BlockRequest,
  type BlockData,
  frame,
  type BlockAnnouncesHandshake,
  type GrandpaGossip,
  type LightRequest,
} from './codec/index.ts'
import type { ChainServer } from './chain-server.ts'
import { REP, type ReputationChange } from './reputation.ts'
import type { PeerSlotKind } from './peer-set.ts'
import { Peering } from './peering.ts'
import { Gossip, type GossipedCommit } from './gossip.ts'
import type { TransportFactory } from './transports.ts'
import { PeerTimeoutError, firstFrame, withOptimisticStreams } from './substreams.ts'
import { deferYamuxWindowUpdates } from './yamux-windows.ts'
import { withWholeEncryptedWrites } from './encrypted-writes.ts'
import { skipRepeatedProtocolMerges } from './peer-store-merges.ts'
import { REQUEST_TIMEOUT_MS, RequestClient, RequestTooLargeError } from './requests.ts'
import { InboundProtocols } from './inbound.ts'
import { FindNodeLookups, type FoundPeer } from './kad-lookup.ts'

export { PeerTimeoutError, RequestTooLargeError }

export interface HostOptions {
  server: ChainServer
  /** Legacy protocol id of the chain spec (for the `/<protocolId>/...` fallback names). */
  protocolId?: string
  listen: string[]
  /** 32-byte Ed25519 seed: a fixed peer id. Random when absent. */
  nodeKey?: Uint8Array
  bootNodes?: string[]
  /** How long a misbehaving peer stays banned (ms). */
  banMs?: number
  /**
   * Delay added to every block announce, GRANDPA message and transaction gossip we send (ms): a fault
   * injected on demand (`sublight dev --latency`), so a local network forks as a wide one does.
   */
  latencyMs?: number
  /** Peers to keep connected: below it, the host looks up more through Kademlia (default 8). */
  targetPeers?: number
  /** Interval of the Kademlia lookups for more peers while below `targetPeers` (ms, default 5000). */
  peerSetIntervalMs?: number
  log?: (line: string) => void
  /** Transactions a peer gossiped on `/transactions/1` (whole extrinsics, length prefix kept). */
  onTransactions?: (peerId: string, txs: Uint8Array[]) => void
  /** A peer's block-announces handshake (its best block), in either direction. */
  onPeer?: (peerId: string, handshake: BlockAnnouncesHandshake) => void
  /** A block a peer announced. */
  onAnnounce?: (peerId: string, announce: BlockAnnounce) => void
  /** Which multiaddrs may be dialled at all (default: any), enforced by the connection gater. */
  dialFilter?: (addr: string) => boolean
  /** The transports to dial and listen with (the platform's: `nodeTransports()` or `browserTransports()`). */
  transports: TransportFactory[]
  /** Our role in handshakes: `ROLE_FULL` (default), `ROLE_AUTHORITY` for an authoring node, `ROLE_LIGHT` for a light client. */
  roles?: number
  /** A peer's last connection closed. */
  onPeerGone?: (peerId: string) => void
  /**
   * Answer a light/2 request we cannot serve with an empty `Response{}`, as Substrate did before 2023
   * (tests of clients meeting such peers); by default the response names its kind and holds no proof.
   */
  emptyLightResponses?: boolean
  /** A GRANDPA gossip message (commit, neighbor packet, vote, catch-up) a peer sent. */
  onGrandpa?: (peerId: string, message: GrandpaGossip) => void
}

export interface PeerInfo {
  peerId: string
  handshake?: BlockAnnouncesHandshake
}

/** A peer's block-announces handshake is this large at most. */
const MAX_HANDSHAKE = 1024
/** How long `stop()` lets connections close gracefully before aborting them (ms). */
const STOP_GRACE_MS = 3000

/** The host cannot start: a listen address that is malformed, taken or unusable (one line for the user). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError'
}

/**
 * Whether a chain spec's legacy `protocolId` can name protocols (`/<id>/sync/2`): real ones are short
 * (`dot`, `ksmcc3`); anything else — a 5 MiB string cost 18 s of protocol registration — is not used.
 */
export function legacyProtocolIdUsable(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,64}$/.test(id)
}

export class NetworkHost {
  private constructor(
    readonly libp2p: Libp2p,
    private readonly opts: HostOptions,
    private readonly peering: Peering,
  ) {
    this.gossip = new Gossip({
      roles: opts.roles ?? ROLE_FULL,
      latencyMs: opts.latencyMs ?? 0,
      finalizedNumber: () => opts.server.finalized?.().number ?? 0,
      rolesOf: (peer) => this.peers.get(peer)?.handshake?.roles ?? 0,
      log: (line) => this.log(line),
    })
    const genesis = toHex(opts.server.genesisHash).slice(2)
    // our requests: a protocol violation in an answer bans the peer, a timeout lowers its reputation
    this.requests = new RequestClient(libp2p, genesis, {
      protocolError: (peer, why) => this.ban(peer, why),
      timedOut: (peerId) => void this.reportPeer(peerId, REP.TIMEOUT),
    })
    // the substreams peers open: handled in inbound.ts, what their messages mean decided here
    this.inbound = new InboundProtocols({
      libp2p,
      server: opts.server,
      names: (suffix) => this.names(genesis, suffix),
      roles: this.roles,
      handshake: () => this.handshake(),
      emptyLightResponses: opts.emptyLightResponses ?? false,
      log: (line) => this.log(line),
      ban: (peer, why) => this.ban(peer, why),
      reportPeer: (peerId, change) => this.reportPeer(peerId, change),
      isBanned: (peer) => this.isBanned(peer),
      announcesOpened: (conn, hs, protocol) => {
        const peer = conn.remotePeer.toString()
        this.peers.set(peer, { peerId: peer, handshake: hs })
        this.log(`peer ${peer} block-announces handshake (best #${hs.bestNumber})`)
        this.opts.onPeer?.(peer, hs)
        void this.openAnnounces(conn, protocol)
      },
      announced: (peer, a) => {
        this.noteAnnounce(peer, a)
        this.opts.onAnnounce?.(peer, a)
      },
      notificationsOpened: (conn, suffix, protocol) => void (suffix === 'grandpa/1' ? this.gossip.openGrandpa(conn, protocol) : this.gossip.openTransactions(conn, protocol)),
      transactions: (peer, txs) => this.opts.onTransactions?.(peer, txs),
      grandpa: (peer, g) => {
        if (g.kind === 'neighbor') this.gossip.noteNeighbor(peer, g)
        this.opts.onGrandpa?.(peer, g)
      },
    })
  }

  readonly peers = new Map<string, PeerInfo>()
  /** Our outbound notification substreams and the gossip on them. */
  private readonly gossip: Gossip
  /** Our handlers of the substreams peers open. */
  private readonly inbound: InboundProtocols

  /** The js-libp2p node: transports, encryption, muxing, identify, (a full node's) ping and Kademlia, our bans as its gater. */
  private static async create(opts: HostOptions, privateKey: Awaited<ReturnType<typeof generateKeyPair>>, genesis: string, isBanned: (p: PeerId) => boolean) {
    // window updates once half a window is used, not one frame back per frame received (yamux-windows.ts)
    deferYamuxWindowUpdates()
    const common = {
      privateKey,
      ...libp2pLogger(),
      addresses: { listen: opts.listen },
      transports: opts.transports,
      // a noise message leaves as one write, not its length and its ciphertext apart (encrypted-writes.ts)
      connectionEncrypters: [withWholeEncryptedWrites(noise())],
      streamMuxers: [withOptimisticStreams(yamux())],
      // the connection monitor pings too; our ping service is the one liveness check
      connectionMonitor: { enabled: false },
      // libp2p's default allows 5 inbound connections per second per host: on loopback (tests, local
      // devnets, several light clients on one machine) that refuses legitimate peers. Misbehaviour is
      // handled by our bans instead.
      connectionManager: { inboundConnectionThreshold: 200, maxIncomingPendingConnections: 200 },
      connectionGater: {
        denyInboundEncryptedConnection: (peerId: PeerId) => isBanned(peerId),
        denyOutboundEncryptedConnection: (peerId: PeerId) => isBanned(peerId),
        denyDialPeer: (peerId: PeerId) => isBanned(peerId),
        // loopback and private addresses are fine (nodes here talk on loopback); a light client may exclude
        // transports (smoldot's forbid* options)
        denyDialMultiaddr: (ma: Multiaddr) => (opts.dialFilter ? !opts.dialFilter(ma.toString()) : false),
      },
    }
    // A light client only asks Kademlia, as smoldot does: one FIND_NODE to a connected peer per lookup
    // (`closestPeers`), without kad-dht's routing table, its timers and its peer-store writes (a fifth of an
    // idle light client's CPU, measured), and without the ping service, which only kad-dht uses; a full
    // node loads both (`full-node-services.ts`)
    if (opts.roles === ROLE_LIGHT) return createLibp2p({ ...common, services: { identify: identify({ protocolPrefix: 'ipfs' }) } })
    const { fullNodeServices } = await import('./full-node-services.ts')
    return createLibp2p({ ...common, services: { identify: identify({ protocolPrefix: 'ipfs' }), ...fullNodeServices(genesis) } })
  }

  static async start(opts: HostOptions): Promise<NetworkHost> {
    // bans and partitions, consulted by libp2p's connection gater
    const peering = new Peering({ banMs: opts.banMs, targetPeers: opts.targetPeers, peerSetIntervalMs: opts.peerSetIntervalMs, dialFilter: opts.dialFilter, log: opts.log })
    const isBanned = (p: PeerId) => peering.isBanned(p.toString())
    const privateKey = opts.nodeKey ? await generateKeyPairFromSeed('Ed25519', opts.nodeKey) : await generateKeyPair('Ed25519')
    const genesis = toHex(opts.server.genesisHash).slice(2)
    if (opts.protocolId && !legacyProtocolIdUsable(opts.protocolId)) opts.log?.(`the chain spec's protocolId (${opts.protocolId.length} characters) is not a usable protocol id: only the genesis-hash protocol names are used`)
    for (const a of [...opts.listen, ...(opts.bootNodes ?? [])]) {
      try {
        multiaddr(a)
      } catch (e) {
        throw new NetworkError(`'${a}' is not a multiaddr: ${(e as Error).message}`)
      }
    }
    let libp2p: Libp2p
    try {
      libp2p = await NetworkHost.create(opts, privateKey, genesis, isBanned)
    } catch (e) {
      const msg = String((e as Error)?.message ?? e)
      const taken = opts.listen.find((a) => msg.includes(`${a}: Error: listen EADDRINUSE`)) ?? (msg.includes('EADDRINUSE') ? opts.listen.join(', ') : undefined)
      if (taken) throw new NetworkError(`listen address ${taken} is already in use`)
      throw new NetworkError(`cannot listen on ${opts.listen.join(', ')}: ${msg.split('\n').find((l) => l.trim()) ?? msg}`)
    }
    // one peer-store write per peer and protocol, not one per request substream (peer-store-merges.ts)
    skipRepeatedProtocolMerges(libp2p)
    const host = new NetworkHost(libp2p, opts, peering)
    await host.inbound.register()
    libp2p.addEventListener('peer:disconnect', (e) => host.forgetPeer(e.detail.toString()))
    peering.start({
      libp2p,
      handshakeWith: (addr) => host.handshakeWith(addr),
      isAnnouncing: (peer) => host.isAnnouncing(peer),
      announcingCount: () => host.announcingPeers().length,
      dropped: (peer) => host.peers.delete(peer),
      closestPeers: (key, signal) => host.closestPeers(key, signal),
    })
    for (const b of opts.bootNodes ?? []) host.keepConnected(b, 'boot')
    return host
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }

  /** Names under the genesis hash, plus the legacy protocol-id form Substrate still accepts. */
  private names(genesis: string, suffix: string): string[] {
    const n = [`/${genesis}/${suffix}`]
    if (this.opts.protocolId && legacyProtocolIdUsable(this.opts.protocolId)) n.push(`/${this.opts.protocolId}/${suffix}`)
    return n
  }

  /** Drops and bans a misbehaving peer for `ms` (default: the host's `banMs`, 5 minutes). */
  ban(peer: PeerId, why: string, ms?: number): void {
    this.peering.ban(peer, why, ms)
  }

  /** Moves a peer's reputation (Substrate's `report_peer`); the peer is banned once it falls too low. */
  reportPeer(peerId: string, change: ReputationChange): number {
    return this.peering.reportPeer(peerId, change)
  }

  /** A peer's current reputation (0 = neutral). */
  reputation(peerId: string): number {
    return this.peering.reputation(peerId)
  }

  /** Whether a peer may not connect now: banned, or cut off by a partition. */
  isBanned(peer: string): boolean {
    return this.peering.isBanned(peer)
  }

  /** Forgets what we kept about a peer once its last connection is gone (bounded memory under churn). */
  private forgetPeer(peer: string): void {
    if (this.libp2p.getConnections().some((c) => c.remotePeer.toString() === peer)) return
    this.peers.delete(peer)
    this.gossip.forget(peer)
    this.openingAnnounces.delete(peer)
    this.peering.lost(peer)
    this.opts.onPeerGone?.(peer)
  }

  /** What the host keeps per peer, for tests that check it stays bounded. */
  get trackedState(): { peers: number; streamCounts: number; bans: number; txStreams: number; announceStreams: number; grandpaStreams: number; reputations: number } {
    return { peers: this.peers.size, streamCounts: this.inbound.tracked, bans: this.peering.sizes.bans, ...this.gossip.sizes, reputations: this.peering.sizes.reputations }
  }

  private get roles(): number {
    return this.opts.roles ?? ROLE_FULL
  }

  private handshake(): Uint8Array {
    const best = this.opts.server.best()
    return encodeHandshake({ roles: this.roles, bestNumber: best.number, bestHash: best.hash, genesisHash: this.opts.server.genesisHash })
  }

  /** Our own block-announces substream towards a peer (Substrate keeps one in each direction). */
  private async openAnnounces(conn: Connection, protocol: string): Promise<void> {
    // one outbound substream per peer: answering every inbound one with a new outbound one would make
    // two nodes of ours open substreams to each other forever
    const peer = conn.remotePeer.toString()
    if (this.gossip.announces.has(peer) || this.openingAnnounces.has(peer)) return
    this.openingAnnounces.add(peer)
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(this.handshake()))
      const hs = await firstFrame(s, MAX_HANDSHAKE, REQUEST_TIMEOUT_MS)
      decodeHandshake(hs, this.opts.server.genesisHash)
      this.gossip.announces.set(peer, s)
      s.addEventListener('close', () => this.announceClosed(peer, s))
      void this.gossip.openTransactions(conn, protocol.replace(/block-announces\/1$/, 'transactions/1'))
      // and our grandpa substream (neighbor packets, commits), whoever opened first
      void this.gossip.openGrandpa(conn, protocol.replace(/block-announces\/1$/, 'grandpa/1'))
    } catch (e) {
      if (e instanceof ProtocolError) this.ban(conn.remotePeer, `outbound block-announces: ${e.message}`)
    } finally {
      this.openingAnnounces.delete(peer)
    }
  }
  private readonly openingAnnounces = new Set<string>()

  /**
   * Our block-announces substream with a peer closed (its node restarting, a reset): the peer no longer
   * counts as announcing, and the peer set dials it again (the connection may still be up: then only the
   * substream and its handshake are redone).
   */
  private announceClosed(peer: string, s: Stream): void {
    if (this.gossip.announces.get(peer) !== s) return
    this.gossip.announces.delete(peer)
    this.peers.delete(peer)
    this.peering.lost(peer)
    this.opts.onPeerGone?.(peer)
  }

  /**
   * Cuts this node off from `peers` (peer ids; `mode` 'allow': from every peer *not* listed) in both
   * directions — connections closed, dials and incoming connections refused — until `heal` or the next
   * `partition`, which replaces this one. A fault injected on demand (`sublight_unstable_partition`): a
   * local network forks as a split one does. Throws on a malformed peer id.
   */
  partition(peers: readonly string[], mode: 'block' | 'allow' = 'block'): void {
    this.peering.partition(peers, mode)
  }

  /** Ends a partition: the peers may connect again (boot nodes and known peers are dialled again). */
  heal(): void {
    this.peering.heal()
  }

  /** Tells peers our GRANDPA state with a neighbor packet when it changed (see `Gossip`). */
  announceGrandpaState(setId: bigint, finalizedHeight: number, round?: bigint): void {
    this.gossip.announceGrandpaState(setId, finalizedHeight, round)
  }
  /** Gossips a finality commit of set `setId` to the peers that can use it (see `Gossip`). */
  gossipFinality(j: GossipedCommit, setId: bigint): void {
    this.gossip.gossipFinality(j, setId)
  }
  /** Sends a GRANDPA vote to every authority peer; returns how many got it. */
  gossipToAuthorities(msg: Uint8Array): number {
    return this.gossip.gossipToAuthorities(msg)
  }
  /** Sends a GRANDPA message (a catch-up request or answer) to one peer; false without a substream to it. */
  sendGrandpaTo(peer: string, msg: Uint8Array): boolean {
    return this.gossip.sendGrandpaTo(peer, msg)
  }
  /** Announces a new block to every peer; returns how many peers it went to. */
  announce(header: Header, isBest: boolean): number {
    return this.gossip.announce(header, isBest)
  }
  /** Gossips transactions to every peer with a transactions substream (but `except`); returns those peers. */
  gossipTransactions(txs: readonly Uint8Array[], except?: string): string[] {
    return this.gossip.gossipTransactions(txs, except)
  }

  /**
   * Keeps a block-announces substream with the peer at `addr` (boot node, saved or discovered peer):
   * dialled now, and again with back-off whenever it is not connected — also after its node restarted or
   * the network came back. Throws a NetworkError when `addr` is not a multiaddr.
   */
  keepConnected(addr: string, kind: PeerSlotKind): void {
    try {
      multiaddr(addr)
    } catch (e) {
      throw new NetworkError(`'${addr}' is not a multiaddr: ${(e as Error).message}`)
    }
    this.peering.keepConnected(addr, kind)
  }

  /** Whether we hold a block-announces handshake and our substream with the peer. */
  private isAnnouncing(peer: string): boolean {
    return this.gossip.announces.has(peer) && this.peers.get(peer)?.handshake !== undefined
  }

  async dial(addr: string | Multiaddr): Promise<Connection> {
    return this.libp2p.dial(typeof addr === 'string' ? multiaddr(addr) : addr)
  }

  /** Opens our block-announces substream to a peer and returns its handshake (also given to `onPeer`). */
  async handshakeWith(peer: PeerId | Multiaddr): Promise<BlockAnnouncesHandshake & { peerId: string }> {
    const genesis = toHex(this.opts.server.genesisHash).slice(2)
    const conn = await this.libp2p.dial(peer)
    const s = await conn.newStream(`/${genesis}/block-announces/1`)
    s.send(frame(this.handshake()))
    const hs = decodeHandshake(await firstFrame(s, MAX_HANDSHAKE, REQUEST_TIMEOUT_MS), this.opts.server.genesisHash)
    const peerId = conn.remotePeer.toString()
    this.gossip.announces.set(peerId, s)
    s.addEventListener('close', () => this.announceClosed(peerId, s))
    this.peers.set(peerId, { peerId, handshake: hs })
    this.opts.onPeer?.(peerId, hs)
    return { ...hs, peerId }
  }

  /**
   * Asks a connected peer for blocks over sync/2. A malformed answer bans the peer (and rejects with the
   * ProtocolError); a timeout lowers its reputation (and rejects with a PeerTimeoutError).
   */
  /** Asks a peer for blocks over sync/2 (see `RequestClient`). */
  requestBlocks(peerId: string, req: BlockRequest): Promise<BlockData[]> {
    return this.requests.requestBlocks(peerId, req)
  }
  /** Asks a peer for a GRANDPA warp proof starting after our finalized block `from` (raw SCALE bytes). */
  requestWarpProof(peerId: string, from: Uint8Array): Promise<Uint8Array> {
    return this.requests.requestWarpProof(peerId, from)
  }
  /** Asks a peer for a read, child-read or call proof over light/2; undefined when it has no proof for that block. */
  requestProof(peerId: string, req: LightRequest): Promise<Uint8Array | undefined> {
    return this.requests.requestProof(peerId, req)
  }
  private readonly requests: RequestClient

  /** A peer's new best block, from its announce (what requests at that height are routed by). */
  private noteAnnounce(peer: string, a: BlockAnnounce): void {
    const info = this.peers.get(peer)
    if (!info?.handshake || !a.isBest || a.header.number < info.handshake.bestNumber) return
    info.handshake = { ...info.handshake, bestNumber: a.header.number, bestHash: headerHash(a.header) }
  }

  /** A peer's finalized height, from its latest GRANDPA neighbor packet (undefined: none yet). */
  finalizedHeightOf(peer: string): number | undefined {
    return this.gossip.finalizedHeightOf(peer)
  }

  /** Peers with a block-announces handshake (their best block), most recent first. */
  announcingPeers(): PeerInfo[] {
    return [...this.peers.values()].filter((p) => p.handshake).reverse()
  }

  get peerId(): string {
    return this.libp2p.peerId.toString()
  }

  /** Listen addresses with `/p2p/<peer id>`. */
  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString())
  }

  /**
   * Peers Kademlia knows close to `key`: a full node's iterative lookup through kad-dht; a light client
   * asks one connected peer (FIND_NODE, `kad-lookup.ts`), those with a handshake first.
   */
  private async *closestPeers(key: Uint8Array, signal: AbortSignal): AsyncGenerator<FoundPeer> {
    if (this.roles !== ROLE_LIGHT) {
      for await (const p of this.libp2p.peerRouting.getClosestPeers(key, { signal })) yield { id: p.id.toString(), addrs: p.multiaddrs.map((m) => m.toString()) }
      return
    }
    const announcing = this.announcingPeers().map((p) => p.peerId)
    yield* this.lookups.closestPeers(announcing.length ? announcing : this.libp2p.getPeers().map((p) => p.toString()), key, signal)
  }
  private readonly lookups = new FindNodeLookups((peer, key) => this.requests.findNode(peer, key))

  /** A Kademlia lookup when below the target of peers; resolves to whether it found a peer we did not know. */
  maintainPeers(): Promise<boolean> {
    return this.peering.lookUp()
  }

  /**
   * Stops the host: timers cleared, waiting requests failed, every connection closed — gracefully for
   * up to STOP_GRACE_MS, then aborted. js-libp2p's graceful close of a connection whose peer just died can
   * wait on timers that do not keep Node running: without the bound, `stop()` (and a light client's
   * `terminate()`) could stay pending for good while the process exits under it.
   */
  async stop(): Promise<void> {
    this.peering.stop()
    this.requests.stop()
    const stopping = Promise.resolve(this.libp2p.stop())
    let timer: ReturnType<typeof setTimeout> | undefined
    const graceOver = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_GRACE_MS)))
    const first = await Promise.race([stopping.then(() => 'done' as const), graceOver])
    clearTimeout(timer)
    if (first === 'done') return
    this.log(`stop: connections still open after ${STOP_GRACE_MS} ms, aborted`)
    for (const c of this.libp2p.getConnections()) c.abort(new Error('the host is stopping'))
    await stopping
  }
}
