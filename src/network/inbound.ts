// The substreams peers open to us (service layer under `host.ts`): the handlers of every protocol we
// answer — ping, the block-announces, transactions and grandpa notification substreams (their
// handshakes, then each message decoded and handed on), and the sync/2, light/2 and sync/warp requests,
// answered by the ChainServer — and the rules every handler runs under (`guard`): at most
// `MAX_STREAMS_PER_PROTOCOL` substreams per peer and protocol (one more is refused at a small
// reputation cost, as Substrate refuses requests past its queue), a protocol violation bans the peer, a
// timeout lowers its reputation, an oversized request is refused without a ban, and nothing a callback
// throws ends a substream. What a message means (a new peer, an announce, gossip) is the host's: it is
// told through `InboundLink`.
//
// Ping is ours, not js-libp2p's: its handler aborts an inbound ping substream 10 s after it opens, but
// smoldot (like rust-libp2p) keeps one ping substream per connection and pings on it every 20 s, so
// every smoldot connection failed its second ping and was dropped (smoldot: `slot-unassigned,
// reason=no-address`, then a reconnection 10 s later). Ours echoes 32-byte pings for the substream's
// whole life and only closes it after `PING_IDLE_MS` without a ping (js-libp2p's ping service stays, for
// Kademlia's outbound liveness checks).

import type { Libp2p } from 'libp2p'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { concatBytes } from '../codec/index.ts'
import {
  ProtocolError,
  decodeBlockAnnounce,
  decodeBlockRequest,
  decodeGrandpaGossip,
  decodeHandshake,
  decodeLightRequest,
  decodeTransactions,
  encodeBlockResponse,
  encodeLightResponse,
  frame,
  type BlockAnnounce,
  type BlockAnnouncesHandshake,
  type GrandpaGossip,
} from './codec/index.ts'
import type { ChainServer } from './chain-server.ts'
import { REP, type ReputationChange } from './reputation.ts'
import { PeerTimeoutError, chunks, firstFrame, frames } from './substreams.ts'
import { MAX_REQUEST, REQUEST_TIMEOUT_MS } from './requests.ts'

/** Notification size limits, as Substrate sets them per protocol. */
const MAX_BLOCK_ANNOUNCE = 1024 * 1024
const MAX_GRANDPA_MESSAGE = 1024 * 1024
const MAX_TRANSACTIONS_MESSAGE = 16 * 1024 * 1024
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
/** Request-response protocols: an oversized request there is refused, not punished by a ban. */
const REQUEST_PROTOCOLS = new Set(['sync/2', 'light/2', 'sync/warp'])
const PING_LENGTH = 32
/** An inbound ping substream with no ping for this long is closed (smoldot pings every 20 s). */
const PING_IDLE_MS = 60_000
/** Blocks in one sync/2 answer at most. */
const MAX_RESPONSE_BLOCKS = 128
/** Substreams one peer may hold open on one protocol; one more is refused. */
export const MAX_STREAMS_PER_PROTOCOL = 32

/** What the inbound handlers need from the host, and what they tell it. */
export interface InboundLink {
  libp2p: Libp2p
  server: ChainServer
  /** A protocol's names (under the genesis hash, and the legacy protocol-id form when usable). */
  names(suffix: string): string[]
  /** Our roles byte, for the notification handshakes. */
  roles: number
  /** Our block-announces handshake now (our best block). */
  handshake(): Uint8Array
  /** Answer a light/2 request we cannot serve with an empty `Response{}` (HostOptions.emptyLightResponses). */
  emptyLightResponses: boolean
  log(line: string): void
  ban(peer: PeerId, why: string): void
  reportPeer(peerId: string, change: ReputationChange): number
  isBanned(peer: string): boolean
  /** A peer opened its block-announces substream and sent a valid handshake (ours is sent back already). */
  announcesOpened(conn: Connection, handshake: BlockAnnouncesHandshake, protocol: string): void
  /** A block a peer announced. */
  announced(peer: string, announce: BlockAnnounce): void
  /** A peer opened its transactions or grandpa substream (`suffix`: 'transactions/1' or 'grandpa/1'). */
  notificationsOpened(conn: Connection, suffix: string, protocol: string): void
  transactions(peer: string, txs: Uint8Array[]): void
  grandpa(peer: string, message: GrandpaGossip): void
}

export class InboundProtocols {
  private readonly streamCounts = new Map<string, number>()

  constructor(private readonly link: InboundLink) {}

  /** How many (peer, protocol) substream counts are kept, for tests that check it stays bounded. */
  get tracked(): number {
    return this.streamCounts.size
  }

  /** Registers every handler with libp2p (ping replacing libp2p's own). */
  async register(): Promise<void> {
    const { libp2p, server } = this.link
    const opts = { maxInboundStreams: MAX_STREAMS_PER_PROTOCOL * 4, maxOutboundStreams: 64, runOnLimitedConnection: false }

    // ping: one long-lived substream per connection, as smoldot and rust-libp2p use it
    await libp2p.unhandle(PING_PROTOCOL)
    await libp2p.handle(PING_PROTOCOL, (stream, conn) => this.guard(conn, 'ping', () => answerPings(stream), stream), { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true })

    // block-announces: handshake both ways, then announces from the peer
    await libp2p.handle(this.link.names('block-announces/1'), (stream, conn) => this.guard(conn, 'block-announces', async () => {
      let first = true
      for await (const f of frames(stream, MAX_BLOCK_ANNOUNCE)) {
        if (first) {
          first = false
          const hs = decodeHandshake(f, server.genesisHash)
          stream.send(frame(this.link.handshake()))
          this.link.announcesOpened(conn, hs, stream.protocol)
        } else {
          const a = decodeBlockAnnounce(f)
          this.deliver('block announce', conn, () => this.link.announced(conn.remotePeer.toString(), a))
        }
      }
    }, stream), opts)

    // transactions and grandpa: accept the substream (handshake = roles byte), keep peers around
    for (const proto of ['transactions/1', 'grandpa/1']) {
      await libp2p.handle(this.link.names(proto), (stream, conn) => this.guard(conn, proto, async () => {
        let first = true
        for await (const f of frames(stream, proto === 'grandpa/1' ? MAX_GRANDPA_MESSAGE : MAX_TRANSACTIONS_MESSAGE)) {
          if (first) {
            first = false
            if (f.length > 64) throw new ProtocolError('Malformed', `${proto} handshake too large`)
            stream.send(frame(Uint8Array.from([this.link.roles])))
            this.link.notificationsOpened(conn, proto, stream.protocol)
          } else if (proto === 'transactions/1') {
            const txs = decodeTransactions(f)
            // the receiver judges each transaction (a duplicate or invalid one may lower the peer's
            // reputation); nothing it throws may end this substream, or every later transaction is lost
            if (txs.length) this.deliver('transactions', conn, () => this.link.transactions(conn.remotePeer.toString(), txs))
          } else {
            const g = decodeGrandpaGossip(f)
            this.deliver('grandpa gossip', conn, () => this.link.grandpa(conn.remotePeer.toString(), g))
          }
        }
      }, stream), opts)
    }

    // sync/2: block requests
    await libp2p.handle(this.link.names('sync/2'), (stream, conn) => this.guard(conn, 'sync/2', async () => {
      const req = decodeBlockRequest(await firstFrame(stream, MAX_REQUEST, REQUEST_TIMEOUT_MS))
      stream.send(frame(encodeBlockResponse(server.blocks(req, Math.min(req.maxBlocks || MAX_RESPONSE_BLOCKS, MAX_RESPONSE_BLOCKS)))))
      await stream.close()
    }, stream), opts)

    // light/2: read, child-read and call proofs
    await libp2p.handle(this.link.names('light/2'), (stream, conn) => this.guard(conn, 'light/2', async () => {
      const req = decodeLightRequest(await firstFrame(stream, MAX_REQUEST, REQUEST_TIMEOUT_MS))
      let proof: Uint8Array | undefined
      if (req.kind === 'read') proof = server.readProof(req.block, req.keys)
      else if (req.kind === 'readChild') proof = req.childKey === undefined ? undefined : server.readChildProof(req.block, req.childKey, req.keys)
      else proof = await server.callProof(req.block, req.method, req.data)
      const response = proof === undefined && this.link.emptyLightResponses ? new Uint8Array() : encodeLightResponse(req.kind === 'call' ? 'call' : 'read', proof)
      stream.send(frame(response))
      await stream.close()
    }, stream), opts)

    // sync/warp: request = the finalized block hash the peer starts from
    await libp2p.handle(this.link.names('sync/warp'), (stream, conn) => this.guard(conn, 'sync/warp', async () => {
      const req = await firstFrame(stream, 64, REQUEST_TIMEOUT_MS)
      if (req.length !== 32) throw new ProtocolError('Malformed', 'warp request must be a 32-byte block hash')
      const proof = await server.warpProof(req)
      if (proof) stream.send(frame(proof))
      await stream.close()
    }, stream), opts)
  }

  /** Hands a peer's message to a callback; the callback's failure is logged, never the substream's end. */
  private deliver(what: string, conn: Connection, fn: () => void): void {
    try {
      fn()
    } catch (e) {
      this.link.log(`${what} from ${conn.remotePeer.toString()}: ${(e as Error).message}`)
    }
  }

  /**
   * Runs a protocol handler; protocol errors ban the peer, a timeout lowers its reputation, other
   * failures just close the substream.
   */
  private async guard(conn: Connection, proto: string, fn: () => Promise<void>, stream: Stream): Promise<void> {
    if (!this.admit(conn, proto)) {
      stream.abort(new Error(`too many ${proto} substreams`))
      return
    }
    const peer = conn.remotePeer
    try {
      await fn()
    } catch (e) {
      // like Substrate, a request too large is refused (the substream reset) and costs reputation, no ban
      if (e instanceof ProtocolError && e.code === 'TooLarge' && REQUEST_PROTOCOLS.has(proto)) {
        stream.abort(new Error(e.message))
        this.link.reportPeer(peer.toString(), REP.REFUSED_REQUEST)
        this.link.log(`${proto} from ${peer.toString()} refused: ${e.message}`)
      } else if (e instanceof ProtocolError) this.link.ban(peer, `${proto}: ${e.message}`)
      else if (e instanceof PeerTimeoutError) this.link.reportPeer(peer.toString(), REP.TIMEOUT)
      else this.link.log(`${proto} with ${peer.toString()}: ${(e as Error).message}`)
    } finally {
      this.release(conn, proto)
    }
  }

  /**
   * Counts substreams a peer opens on a protocol. One too many is refused (reset) and costs a little
   * reputation, as Substrate refuses requests past its queue without a ban: a burst from a busy client
   * (50 apps asking at once) is not an attack. The muxer bounds the substreams a connection may hold.
   */
  private admit(conn: Connection, proto: string): boolean {
    const key = `${conn.remotePeer.toString()} ${proto}`
    const n = (this.streamCounts.get(key) ?? 0) + 1
    this.streamCounts.set(key, n)
    if (n > MAX_STREAMS_PER_PROTOCOL) {
      this.release(conn, proto)
      if (!this.link.isBanned(conn.remotePeer.toString())) this.link.reportPeer(conn.remotePeer.toString(), REP.REFUSED_REQUEST)
      return false
    }
    return true
  }

  private release(conn: Connection, proto: string): void {
    const key = `${conn.remotePeer.toString()} ${proto}`
    const n = (this.streamCounts.get(key) ?? 1) - 1
    if (n > 0) this.streamCounts.set(key, n)
    else this.streamCounts.delete(key)
  }
}

/** Echoes every 32-byte ping on the substream until it ends or stays idle for `PING_IDLE_MS`. */
async function answerPings(stream: Stream): Promise<void> {
  let pending = new Uint8Array(0)
  let idle: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    clearTimeout(idle)
    idle = setTimeout(() => void stream.close().catch(() => stream.abort(new Error('ping idle'))), PING_IDLE_MS)
    idle.unref?.()
  }
  arm()
  try {
    for await (const chunk of chunks(stream)) {
      const all = pending.length ? concatBytes(pending, chunk) : chunk
      const whole = all.length - (all.length % PING_LENGTH)
      if (whole > 0) {
        if (!stream.send(all.slice(0, whole))) {
          await new Promise<void>((r) => {
            stream.addEventListener('drain', () => r(), { once: true })
            stream.addEventListener('close', () => r(), { once: true })
          })
        }
        arm()
      }
      pending = all.slice(whole)
    }
  } finally {
    clearTimeout(idle)
  }
}
