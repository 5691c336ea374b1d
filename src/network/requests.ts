// Our side of the request-response protocols (sync/2, light/2, sync/warp, and Kademlia's FIND_NODE, which
// has the same shape): one request per substream,
// the protocol name sent optimistically with the request (one round trip, `substreams.ts`), a bounded
// number in flight per peer and protocol with the rest queued, and the size limits Substrate enforces.
// What a bad answer means for the peer (a ban for a protocol violation, lower reputation for a timeout)
// is the host's: it is told through `RequestHooks`.

import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import type { PeerId } from '@libp2p/interface'
import { concatBytes } from '../codec/index.ts'
import { ProtocolError, decodeBlockResponse, decodeFindNodeResponse, decodeLightResponse, encodeBlockRequest, encodeFindNodeRequest, encodeLightRequest, frame, type BlockData, type BlockRequest, type KadPeer, type LightRequest } from './codec/index.ts'
import { MSS_HEADER, OPTIMISTIC, PeerTimeoutError, firstFrame, framedLength } from './substreams.ts'

/** Largest request a peer accepts (1 MiB, as Substrate), framing included. */
export const MAX_REQUEST = 1024 * 1024
/** Block and warp responses: up to 16 MiB, as Substrate's sync protocols allow. */
export const MAX_RESPONSE = 16 * 1024 * 1024
/** Kademlia answers: up to 256 KiB (k = 20 peers with their addresses fit in a few). */
const MAX_KAD_RESPONSE = 256 * 1024
/** How long a peer has to answer a request, and to send a handshake (ms). */
export const REQUEST_TIMEOUT_MS = 20_000
/**
 * Our requests in flight to one peer on one protocol; more wait in a queue. Below what a Substrate node
 * (and ours, `MAX_STREAMS_PER_PROTOCOL`) accepts, so a burst of requests never looks like a flood.
 */
const MAX_REQUESTS_PER_PEER = 8
/** Parsed peer ids kept for reuse (a light client talks to a few dozen peers at most). */
const PEER_IDS_KEPT = 128
/** Requests waiting behind those in flight, per peer and protocol; past it a request fails at once (another peer may be asked). */
const MAX_QUEUED_REQUESTS_PER_PEER = 512

/**
 * A request larger than the protocol accepts (1 MiB, as Substrate): never sent, since any peer would refuse
 * it. The caller's request cannot be served over this protocol at all.
 */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError'
}

/** What the host does about a peer whose answer was bad or late. */
export interface RequestHooks {
  /** The answer broke the protocol (malformed, oversized): the host bans the peer. */
  protocolError(peer: PeerId, why: string): void
  /** No answer in time. */
  timedOut(peerId: string): void
}

export class RequestClient {
  /** Requests in flight and waiting, by `<peer> <protocol>`. */
  private readonly slots = new Map<string, { active: number; waiting: (() => void)[] }>()
  /** Peers' ids parsed once (a base58 decode and a multihash parse each), the most recently asked first to stay. */
  private readonly peerIds = new Map<string, PeerId>()
  /** The optimistic multistream-select prefix of each protocol: its header and name, framed. */
  private readonly prefixes = new Map<string, Uint8Array>()
  private stopped = false

  constructor(
    private readonly libp2p: Libp2p,
    /** The chain's genesis hash in hex without 0x: the protocol names' prefix. */
    private readonly genesisHex: string,
    private readonly hooks: RequestHooks,
  ) {}

  requestBlocks(peerId: string, req: BlockRequest): Promise<BlockData[]> {
    return this.request(peerId, 'sync/2', encodeBlockRequest(req), MAX_RESPONSE, decodeBlockResponse)
  }

  /** Asks a peer for a GRANDPA warp proof starting after our finalized block `from` (raw SCALE bytes). */
  requestWarpProof(peerId: string, from: Uint8Array): Promise<Uint8Array> {
    return this.request(peerId, 'sync/warp', from, MAX_RESPONSE, (b) => b)
  }

  /** Asks a peer for a read, child-read or call proof over light/2; undefined when it has no proof for that block. */
  requestProof(peerId: string, req: LightRequest): Promise<Uint8Array | undefined> {
    return this.request(peerId, 'light/2', encodeLightRequest(req), MAX_RESPONSE, (b) => decodeLightResponse(b).proof)
  }

  /** Asks a peer for the peers it knows closest to `key` (Kademlia's FIND_NODE on `/<genesis>/kad`). */
  findNode(peerId: string, key: Uint8Array): Promise<KadPeer[]> {
    return this.request(peerId, 'kad', encodeFindNodeRequest(key), MAX_KAD_RESPONSE, decodeFindNodeResponse)
  }

  /** No request goes out any more; those waiting for a slot are let go (and fail at once). */
  stop(): void {
    this.stopped = true
    for (const q of this.slots.values()) for (const w of q.waiting.splice(0)) w()
  }

  /**
   * One request-response exchange with a connected peer. A request over the protocol's size limit is
   * never sent (RequestTooLargeError); at most `MAX_REQUESTS_PER_PEER` per peer and protocol are in
   * flight, the others wait their turn.
   */
  private async request<T>(peerId: string, suffix: string, payload: Uint8Array, maxResponse: number, decode: (b: Uint8Array) => T): Promise<T> {
    if (framedLength(payload.length) > MAX_REQUEST) throw new RequestTooLargeError(`a ${suffix} request of ${payload.length} bytes exceeds the protocol's ${MAX_REQUEST}-byte limit`)
    const key = `${peerId} ${suffix}`
    await this.slot(key)
    try {
      return await this.exchange(peerId, suffix, payload, maxResponse, decode)
    } finally {
      this.release(key)
    }
  }

  private slot(key: string): Promise<void> {
    let q = this.slots.get(key)
    if (!q) this.slots.set(key, (q = { active: 0, waiting: [] }))
    if (q.active < MAX_REQUESTS_PER_PEER) {
      q.active++
      return Promise.resolve()
    }
    if (q.waiting.length >= MAX_QUEUED_REQUESTS_PER_PEER) return Promise.reject(new Error(`${MAX_QUEUED_REQUESTS_PER_PEER} requests already wait for this peer`))
    return new Promise((resolve) => q.waiting.push(resolve))
  }
  private release(key: string): void {
    const q = this.slots.get(key)
    if (!q) return
    const next = q.waiting.shift()
    if (next) return next() // the slot passes to the next request
    if (--q.active === 0) this.slots.delete(key)
  }

  private peerId(id: string): PeerId {
    let peer = this.peerIds.get(id)
    if (peer) {
      this.peerIds.delete(id)
    } else {
      peer = peerIdFromString(id)
      if (this.peerIds.size >= PEER_IDS_KEPT) this.peerIds.delete(this.peerIds.keys().next().value!)
    }
    this.peerIds.set(id, peer)
    return peer
  }

  private prefix(protocol: string): Uint8Array {
    let p = this.prefixes.get(protocol)
    if (!p) this.prefixes.set(protocol, (p = concatBytes(frame(new TextEncoder().encode(MSS_HEADER)), frame(new TextEncoder().encode(`${protocol}\n`)))))
    return p
  }

  private async exchange<T>(peerId: string, suffix: string, payload: Uint8Array, maxResponse: number, decode: (b: Uint8Array) => T): Promise<T> {
    if (this.stopped) throw new Error('the network host is stopped')
    const peer = this.peerId(peerId)
    // the protocol name goes out with the request (optimistic multistream-select): one round trip, not two
    const protocol = `/${this.genesisHex}/${suffix}`
    const open = this.libp2p.getConnections(peer).find((c) => c.status === 'open')
    const optimistic = open !== undefined
    const s = open ? await open.newStream(protocol, { [OPTIMISTIC]: protocol } as object) : await this.libp2p.dialProtocol(peer, protocol)
    try {
      s.send(optimistic ? concatBytes(this.prefix(protocol), frame(payload)) : frame(payload))
      await s.close()
      return decode(await firstFrame(s, maxResponse, REQUEST_TIMEOUT_MS, optimistic ? protocol : undefined))
    } catch (e) {
      if (e instanceof ProtocolError) this.hooks.protocolError(peer, `${suffix} response: ${e.message}`)
      else if (e instanceof PeerTimeoutError) this.hooks.timedOut(peerId)
      throw e
    } finally {
      s.abort?.(new Error('done'))
    }
  }
}
