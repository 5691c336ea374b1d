// The libp2p host (service layer): TCP and WebSocket transports, noise, yamux, identify, ping and
// Kademlia on `/<genesis>/kad` (js-libp2p; nothing re-implemented), plus Substrate's protocols on top:
// block-announces/transactions/grandpa notification substreams (handshake both ways) and the sync/2,
// light/2 and sync/warp request-response protocols, answered by a ChainServer. Peers that send
// malformed or oversized data, the wrong genesis, or open substreams in a loop are dropped and banned.

import '../platform/node-polyfills.ts'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT } from '@libp2p/kad-dht'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { toHex } from '../codec/index.ts'
import type { Header } from '../header/index.ts'
import {
  FrameDecoder,
  ProtocolError,
  ROLE_FULL,
  decodeBlockAnnounce,
  decodeBlockRequest,
  decodeHandshake,
  decodeLightRequest,
  encodeBlockAnnounce,
  encodeBlockResponse,
  encodeGrandpaNeighbor,
  encodeGrandpaCommit,
  encodeHandshake,
  encodeBlockRequest,
  decodeBlockResponse,
  type BlockAnnounce,
  type BlockRequest,
  type BlockData,
  encodeTransactions,
  decodeTransactions,
  encodeLightResponse,
  frame,
  type BlockAnnouncesHandshake,
} from './codec/index.ts'
import type { ChainServer } from './chain-server.ts'

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
  /** Peers to keep connected: below it, the host looks up more through Kademlia (default 8). */
  targetPeers?: number
  /** Interval of the peer-set maintenance (ms, default 5000). */
  peerSetIntervalMs?: number
  log?: (line: string) => void
  /** Transactions a peer gossiped on `/transactions/1` (whole extrinsics, length prefix kept). */
  onTransactions?: (peerId: string, txs: Uint8Array[]) => void
  /** A peer's block-announces handshake (its best block), in either direction. */
  onPeer?: (peerId: string, handshake: BlockAnnouncesHandshake) => void
  /** A block a peer announced. */
  onAnnounce?: (peerId: string, announce: BlockAnnounce) => void
}

export interface PeerInfo {
  peerId: string
  handshake?: BlockAnnouncesHandshake
}

const MAX_REQUEST = 1024 * 1024
const MAX_NOTIFICATION = 16 * 1024 * 1024
const MAX_RESPONSE_BLOCKS = 128
const REQUEST_TIMEOUT_MS = 20_000
const MAX_STREAMS_PER_PROTOCOL = 32

/**
 * The bytes a peer sends on a substream, in order, until its end. We listen to the stream's events
 * rather than use its async iterator: with js-libp2p 3.x that iterator ends on the remote's half-close,
 * and peers that send a request together with the half-close in one frame (smoldot, Substrate) would
 * have their request dropped. 'end' and 'close' come only after buffered data has been dispatched.
 */
async function* chunks(stream: Stream): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = []
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const onMessage = (e: Event) => {
    const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
    const u = d instanceof Uint8Array ? d : d.subarray()
    // plain Uint8Array views (not Node Buffers), so decoded values compare like every other byte array
    queue.push(new Uint8Array(u.buffer, u.byteOffset, u.byteLength))
    wake?.()
  }
  const onEnd = (e: Event) => {
    ended = true
    const err = (e as Event & { error?: Error }).error
    if (err) failure = err
    wake?.()
  }
  stream.addEventListener('message', onMessage)
  stream.addEventListener('end', onEnd)
  stream.addEventListener('close', onEnd)
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!
      if (ended || stream.readStatus === 'closed') {
        if (failure) throw failure
        return
      }
      await new Promise<void>((r) => (wake = r))
      wake = undefined
    }
  } finally {
    stream.removeEventListener('message', onMessage)
    stream.removeEventListener('end', onEnd)
    stream.removeEventListener('close', onEnd)
  }
}

async function* frames(stream: Stream, max: number): AsyncGenerator<Uint8Array> {
  const dec = new FrameDecoder(max)
  for await (const bytes of chunks(stream)) {
    for (const f of dec.push(bytes)) yield f
  }
}

async function firstFrame(stream: Stream, max: number, timeoutMs: number): Promise<Uint8Array> {
  const it = frames(stream, max)[Symbol.asyncIterator]()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new ProtocolError('Malformed', 'request timed out')), timeoutMs)
  })
  try {
    const r = await Promise.race([it.next(), timeout])
    if (r.done) throw new Error('substream closed before a full message') // not misbehaviour: a cancelled request
    return r.value
  } finally {
    clearTimeout(timer)
  }
}

export class NetworkHost {
  private constructor(
    readonly libp2p: Libp2p,
    private readonly opts: HostOptions,
    private readonly banned: Map<string, number>,
  ) {}

  readonly peers = new Map<string, PeerInfo>()
  private readonly streamCounts = new Map<string, number>()

  static async start(opts: HostOptions): Promise<NetworkHost> {
    const banned = new Map<string, number>()
    const isBanned = (p: PeerId) => (banned.get(p.toString()) ?? 0) > Date.now()
    const privateKey = opts.nodeKey ? await generateKeyPairFromSeed('Ed25519', opts.nodeKey) : await generateKeyPair('Ed25519')
    const genesis = toHex(opts.server.genesisHash).slice(2)
    const libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: opts.listen },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
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
        // loopback and private addresses are fine: nodes here talk on loopback
        denyDialMultiaddr: () => false,
      },
      services: {
        identify: identify({ protocolPrefix: 'ipfs' }),
        ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 4 }),
        dht: kadDHT({ protocol: `/${genesis}/kad`, clientMode: false, peerInfoMapper: (p) => p }),
      },
    })
    const host = new NetworkHost(libp2p, opts, banned)
    await host.register(genesis)
    for (const b of opts.bootNodes ?? []) void host.dial(b).catch((e) => host.log(`boot node ${b}: ${(e as Error).message}`))
    host.peerSetTimer = setInterval(() => void host.maintainPeers(), opts.peerSetIntervalMs ?? 5000)
    host.peerSetTimer.unref?.()
    return host
  }

  private log(line: string): void {
    this.opts.log?.(line)
  }

  /** Names under the genesis hash, plus the legacy protocol-id form Substrate still accepts. */
  private names(genesis: string, suffix: string): string[] {
    const n = [`/${genesis}/${suffix}`]
    if (this.opts.protocolId) n.push(`/${this.opts.protocolId}/${suffix}`)
    return n
  }

  /** Drops and bans a misbehaving peer. */
  ban(peer: PeerId, why: string): void {
    const ms = this.opts.banMs ?? 5 * 60_000
    this.banned.set(peer.toString(), Date.now() + ms)
    this.peers.delete(peer.toString())
    this.log(`banned ${peer.toString()}: ${why}`)
    void this.libp2p.hangUp(peer).catch(() => {})
  }

  isBanned(peer: string): boolean {
    return (this.banned.get(peer) ?? 0) > Date.now()
  }

  /** Counts substreams a peer opens on a protocol; too many at once is misbehaviour. */
  private admit(conn: Connection, proto: string): boolean {
    const key = `${conn.remotePeer.toString()} ${proto}`
    const n = (this.streamCounts.get(key) ?? 0) + 1
    this.streamCounts.set(key, n)
    if (n > MAX_STREAMS_PER_PROTOCOL) {
      if (!this.isBanned(conn.remotePeer.toString())) this.ban(conn.remotePeer, `too many ${proto} substreams`)
      return false
    }
    return true
  }
  private release(conn: Connection, proto: string): void {
    const key = `${conn.remotePeer.toString()} ${proto}`
    this.streamCounts.set(key, Math.max(0, (this.streamCounts.get(key) ?? 1) - 1))
  }

  private handshake(): Uint8Array {
    const best = this.opts.server.best()
    return encodeHandshake({ roles: ROLE_FULL, bestNumber: best.number, bestHash: best.hash, genesisHash: this.opts.server.genesisHash })
  }

  private async register(genesis: string): Promise<void> {
    const server = this.opts.server
    const opts = { maxInboundStreams: MAX_STREAMS_PER_PROTOCOL * 4, maxOutboundStreams: 64, runOnLimitedConnection: false }

    // block-announces: handshake both ways, then announces from the peer
    await this.libp2p.handle(this.names(genesis, 'block-announces/1'), (stream, conn) => this.guard(conn, 'block-announces', async () => {
      const it = frames(stream, MAX_NOTIFICATION)
      let first = true
      for await (const f of it) {
        if (first) {
          first = false
          const hs = decodeHandshake(f, server.genesisHash)
          stream.send(frame(this.handshake()))
          this.peers.set(conn.remotePeer.toString(), { peerId: conn.remotePeer.toString(), handshake: hs })
          this.log(`peer ${conn.remotePeer.toString()} block-announces handshake (best #${hs.bestNumber})`)
          this.opts.onPeer?.(conn.remotePeer.toString(), hs)
          void this.openAnnounces(conn, stream.protocol)
        } else {
          const a = decodeBlockAnnounce(f)
          this.opts.onAnnounce?.(conn.remotePeer.toString(), a)
        }
      }
    }), opts)

    // transactions and grandpa: accept the substream (handshake = roles byte), keep peers around
    for (const proto of ['transactions/1', 'grandpa/1']) {
      await this.libp2p.handle(this.names(genesis, proto), (stream, conn) => this.guard(conn, proto, async () => {
        let first = true
        for await (const f of frames(stream, MAX_NOTIFICATION)) {
          if (first) {
            first = false
            if (f.length > 64) throw new ProtocolError('Malformed', `${proto} handshake too large`)
            stream.send(frame(Uint8Array.from([ROLE_FULL])))
            if (proto === 'grandpa/1') void this.openGrandpa(conn, stream.protocol)
            else void this.openTransactions(conn, stream.protocol)
          } else if (proto === 'transactions/1') {
            const txs = decodeTransactions(f)
            if (txs.length) this.opts.onTransactions?.(conn.remotePeer.toString(), txs)
          }
        }
      }), opts)
    }

    // sync/2: block requests
    await this.libp2p.handle(this.names(genesis, 'sync/2'), (stream, conn) => this.guard(conn, 'sync/2', async () => {
      const req = decodeBlockRequest(await firstFrame(stream, MAX_REQUEST, REQUEST_TIMEOUT_MS))
      stream.send(frame(encodeBlockResponse(server.blocks(req, Math.min(req.maxBlocks || MAX_RESPONSE_BLOCKS, MAX_RESPONSE_BLOCKS)))))
      await stream.close()
    }), opts)

    // light/2: read, child-read and call proofs
    await this.libp2p.handle(this.names(genesis, 'light/2'), (stream, conn) => this.guard(conn, 'light/2', async () => {
      const req = decodeLightRequest(await firstFrame(stream, MAX_REQUEST, REQUEST_TIMEOUT_MS))
      let proof: Uint8Array | undefined
      if (req.kind === 'read') proof = server.readProof(req.block, req.keys)
      else if (req.kind === 'readChild') proof = server.readChildProof(req.block, req.childKey, req.keys)
      else proof = server.callProof(req.block, req.method, req.data)
      stream.send(frame(encodeLightResponse(req.kind === 'call' ? 'call' : 'read', proof)))
      await stream.close()
    }), opts)

    // sync/warp: request = the finalized block hash the peer starts from
    await this.libp2p.handle(this.names(genesis, 'sync/warp'), (stream, conn) => this.guard(conn, 'sync/warp', async () => {
      const req = await firstFrame(stream, 64, REQUEST_TIMEOUT_MS)
      if (req.length !== 32) throw new ProtocolError('Malformed', 'warp request must be a 32-byte block hash')
      const proof = server.warpProof(req)
      if (proof) stream.send(frame(proof))
      await stream.close()
    }), opts)
  }

  /** Runs a protocol handler; protocol errors ban the peer, other failures just close the substream. */
  private async guard(conn: Connection, proto: string, fn: () => Promise<void>): Promise<void> {
    if (!this.admit(conn, proto)) return
    try {
      await fn()
    } catch (e) {
      if (e instanceof ProtocolError) this.ban(conn.remotePeer, `${proto}: ${e.message}`)
      else this.log(`${proto} with ${conn.remotePeer.toString()}: ${(e as Error).message}`)
    } finally {
      this.release(conn, proto)
    }
  }

  /** Our own block-announces substream towards a peer (Substrate keeps one in each direction). */
  private async openAnnounces(conn: Connection, protocol: string): Promise<void> {
    // one outbound substream per peer: answering every inbound one with a new outbound one would make
    // two nodes of ours open substreams to each other forever
    const peer = conn.remotePeer.toString()
    if (this.announceStreams.has(peer) || this.openingAnnounces.has(peer)) return
    this.openingAnnounces.add(peer)
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(this.handshake()))
      const hs = await firstFrame(s, 1024, REQUEST_TIMEOUT_MS)
      decodeHandshake(hs, this.opts.server.genesisHash)
      this.announceStreams.set(peer, s)
      s.addEventListener('close', () => {
        if (this.announceStreams.get(peer) === s) this.announceStreams.delete(peer)
      })
      void this.openTransactions(conn, protocol.replace(/block-announces\/1$/, 'transactions/1'))
    } catch (e) {
      if (e instanceof ProtocolError) this.ban(conn.remotePeer, `outbound block-announces: ${e.message}`)
    } finally {
      this.openingAnnounces.delete(peer)
    }
  }
  private readonly announceStreams = new Map<string, Stream>()
  private readonly openingAnnounces = new Set<string>()

  private grandpaSetId = 0n

  /** Gossips a finality commit (and our new finalized height) on every outbound grandpa substream. */
  gossipFinality(j: { round: bigint; targetHash: Uint8Array; targetNumber: number; precommits: { targetHash: Uint8Array; targetNumber: number; signature: Uint8Array; authorityId: Uint8Array }[] }, setId: bigint): void {
    this.grandpaSetId = setId
    const neighbor = frame(encodeGrandpaNeighbor({ round: j.round, setId, finalizedHeight: j.targetNumber }))
    const commit = frame(encodeGrandpaCommit({ ...j, setId }))
    for (const [key, s] of this.announceStreams) {
      if (!key.endsWith(' grandpa')) continue
      try {
        s.send(neighbor)
        s.send(commit)
      } catch {
        this.announceStreams.delete(key)
      }
    }
  }

  /** Announces a new block on every open outbound block-announces substream. */
  announce(header: Header, isBest: boolean): number {
    const msg = frame(encodeBlockAnnounce({ header, isBest, data: undefined }))
    let sent = 0
    for (const [key, s] of this.announceStreams) {
      if (key.endsWith(' grandpa')) continue
      try {
        s.send(msg)
        sent++
      } catch {
        this.announceStreams.delete(key)
      }
    }
    return sent
  }

  private readonly txStreams = new Map<string, Stream | 'opening'>()

  /** Our transactions substream towards a peer (one per peer; roles byte as handshake both ways). */
  private async openTransactions(conn: Connection, protocol: string): Promise<void> {
    const peer = conn.remotePeer.toString()
    if (this.txStreams.has(peer)) return
    this.txStreams.set(peer, 'opening')
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(Uint8Array.from([ROLE_FULL])))
      await firstFrame(s, 64, REQUEST_TIMEOUT_MS)
      this.txStreams.set(peer, s)
      s.addEventListener('close', () => this.txStreams.delete(peer))
    } catch (e) {
      this.txStreams.delete(peer)
      this.log(`outbound transactions with ${peer}: ${(e as Error).message}`)
    }
  }

  /** Gossips transactions to every peer with an open transactions substream; returns those peers. */
  gossipTransactions(txs: readonly Uint8Array[], except?: string): string[] {
    if (txs.length === 0) return []
    const msg = frame(encodeTransactions(txs))
    const sent: string[] = []
    for (const [peer, s] of this.txStreams) {
      if (s === 'opening' || peer === except) continue
      try {
        s.send(msg)
        sent.push(peer)
      } catch {
        this.txStreams.delete(peer)
      }
    }
    return sent
  }

  /** Our grandpa substream towards a peer, carrying a neighbor packet (finalized height). */
  private async openGrandpa(conn: Connection, protocol: string): Promise<void> {
    try {
      const s = await conn.newStream(protocol)
      s.send(frame(Uint8Array.from([ROLE_FULL])))
      await firstFrame(s, 64, REQUEST_TIMEOUT_MS)
      const fin = this.opts.server.finalized?.() ?? { number: 0 }
      s.send(frame(encodeGrandpaNeighbor({ round: 1n, setId: this.grandpaSetId, finalizedHeight: fin.number })))
      this.announceStreams.set(`${conn.remotePeer.toString()} grandpa`, s)
    } catch (e) {
      this.log(`outbound grandpa with ${conn.remotePeer.toString()}: ${(e as Error).message}`)
    }
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
    const hs = decodeHandshake(await firstFrame(s, 1024, REQUEST_TIMEOUT_MS), this.opts.server.genesisHash)
    const peerId = conn.remotePeer.toString()
    this.announceStreams.set(peerId, s)
    s.addEventListener('close', () => {
      if (this.announceStreams.get(peerId) === s) this.announceStreams.delete(peerId)
    })
    this.peers.set(peerId, { peerId, handshake: hs })
    this.opts.onPeer?.(peerId, hs)
    return { ...hs, peerId }
  }

  /** Asks a connected peer for blocks over sync/2 (a ProtocolError for a malformed answer). */
  async requestBlocks(peerId: string, req: BlockRequest): Promise<BlockData[]> {
    const genesis = toHex(this.opts.server.genesisHash).slice(2)
    const s = await this.libp2p.dialProtocol(peerIdFromString(peerId), `/${genesis}/sync/2`)
    try {
      s.send(frame(encodeBlockRequest(req)))
      await s.close()
      return decodeBlockResponse(await firstFrame(s, MAX_NOTIFICATION, REQUEST_TIMEOUT_MS))
    } finally {
      s.abort?.(new Error('done'))
    }
  }

  get peerId(): string {
    return this.libp2p.peerId.toString()
  }

  /** Listen addresses with `/p2p/<peer id>`. */
  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString())
  }

  private peerSetTimer: ReturnType<typeof setInterval> | undefined
  private maintaining = false

  /** Peer-set maintenance: below the target, look up peers near a random key and dial the new ones. */
  async maintainPeers(): Promise<void> {
    if (this.maintaining) return
    this.maintaining = true
    try {
      const connected = new Set(this.libp2p.getPeers().map((p) => p.toString()))
      const target = this.opts.targetPeers ?? 8
      if (connected.size >= target || connected.size === 0) return
      const key = crypto.getRandomValues(new Uint8Array(32))
      for await (const peer of this.libp2p.peerRouting.getClosestPeers(key, { signal: AbortSignal.timeout(4000) })) {
        const id = peer.id.toString()
        if (id === this.peerId || connected.has(id) || this.isBanned(id)) continue
        await this.libp2p.dial(peer.id, { signal: AbortSignal.timeout(4000) }).then(
          () => connected.add(id),
          () => {},
        )
        if (connected.size >= target) break
      }
    } catch {
      // lookups fail while the routing table is empty; the next round retries
    } finally {
      this.maintaining = false
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.peerSetTimer)
    await this.libp2p.stop()
  }
}
