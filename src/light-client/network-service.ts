// The light client's network service for one chain (service: sockets, timers): the libp2p host with
// light-client roles, the peer set it keeps connected (boot, saved and discovered peers, with the
// transport bans smoldot's options set), bans, what peers tell us of their chains (best block from
// handshakes and announces, finalized height from GRANDPA neighbor packets), and proof requests asked
// of peers in turn with hedging. The services above hear of peers, announces and GRANDPA messages through
// `NetworkEvents`; this module knows nothing of blocks beyond what requests name.
// smoldot's equivalent is `light-base/src/network_service.rs` (there one per client, shared by its chains;
// here one per chain — see ARCHITECTURE.md).

import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Transports } from '../network/transports.ts'
import { toHex } from '../codec/index.ts'
import type { ChainSpec } from '../chain-spec/index.ts'
import { ExecutorError } from '../executor/index.ts'
import type { Header } from '../header/index.ts'
import { NetworkHost, RequestTooLargeError, ROLE_LIGHT, type ChainServer, type GrandpaGossip, type PeerInfo } from '../network/index.ts'
import { ChainAccessError } from '../json-rpc/index.ts'

/** How long a request waits for a first peer before answering that nobody could prove it. */
const PEER_WAIT_MS = 10_000
/** A proof request unanswered this long is also sent to the next peer (the first checked answer wins). */
const HEDGE_MS = 3_000

/** smoldot's transport bans: addresses they exclude are never dialled. */
export interface TransportBans {
  tcp?: boolean
  ws?: boolean
  nonLocalWs?: boolean
  wss?: boolean
}

/** Whether smoldot's `forbid*` options allow dialling `addr` (WebRTC is not supported at all yet). */
export function addressAllowed(addr: string, forbid: TransportBans = {}): boolean {
  const wss = /\/(wss|tls\/ws)(\/|$)/.test(addr)
  const ws = !wss && /\/ws(\/|$)/.test(addr)
  const tcp = !ws && !wss && /\/tcp\//.test(addr)
  if (/\/webrtc/.test(addr)) return false
  if (tcp) return !forbid.tcp
  if (wss) return !forbid.wss
  if (ws) return !forbid.ws && !(forbid.nonLocalWs && !/^\/(ip4\/127\.|ip6\/::1\/|dns4?\/localhost\/)/.test(addr))
  return false
}

/** A light node serves nothing: its handshakes report its finalized block, and every request gets nothing. */
class NothingServed implements ChainServer {
  constructor(
    readonly genesisHash: Uint8Array,
    readonly best: () => { number: number; hash: Uint8Array },
  ) {}
  blocks() {
    return []
  }
  readProof() {
    return undefined
  }
  readChildProof() {
    return undefined
  }
  callProof() {
    return undefined
  }
  warpProof() {
    return undefined
  }
}

/** What the network tells the sync service. */
export interface NetworkEvents {
  /** A peer's block-announces handshake: its best block. */
  onPeer(peer: string, bestNumber: number, bestHash: Uint8Array): void
  onAnnounce(peer: string, header: Header): void
  onGrandpa(peer: string, message: GrandpaGossip): void
}

export interface NetworkServiceOptions {
  spec: ChainSpec
  genesisHash: Uint8Array
  transports: Transports
  forbid?: TransportBans
  log: (level: number, message: string) => void
  /** Our finalized block, reported in handshakes. */
  finalized: () => { number: number; hash: Uint8Array }
  events: NetworkEvents
}

export class NetworkService {
  private readonly peerWaiters = new Set<() => void>()
  /** Which peer the next request asks first (see `withPeers`). */
  private turn = 0

  private constructor(
    readonly host: NetworkHost,
    private readonly o: NetworkServiceOptions,
  ) {}

  static async start(o: NetworkServiceOptions): Promise<NetworkService> {
    let svc: NetworkService | undefined
    const host = await NetworkHost.start({
      server: new NothingServed(o.genesisHash, o.finalized),
      protocolId: o.spec.protocolId,
      listen: [],
      roles: ROLE_LIGHT,
      transports: o.transports({ tcp: !o.forbid?.tcp, ws: !(o.forbid?.ws && o.forbid?.wss) }),
      dialFilter: (addr) => addressAllowed(addr, o.forbid),
      targetPeers: 4,
      log: (l) => o.log(4, l),
      onPeer: (peer, hs) => {
        if (svc) for (const w of [...svc.peerWaiters]) w()
        o.events.onPeer(peer, hs.bestNumber, hs.bestHash)
      },
      onAnnounce: (peer, a) => o.events.onAnnounce(peer, a.header),
      onGrandpa: (peer, m) => o.events.onGrandpa(peer, m),
    })
    svc = new NetworkService(host, o)
    return svc
  }

  /** Adds an address to the peer set (dialled now, and again whenever it is not connected); a bad one is logged and skipped. */
  keep(addr: string, kind: 'boot' | 'saved' | 'discovered', what: string): void {
    try {
      multiaddr(addr)
    } catch (e) {
      return this.o.log(2, `ignoring ${what} ${addr}: not a multiaddr (${(e as Error).message})`)
    }
    if (!addressAllowed(addr, this.o.forbid)) return this.o.log(3, `${what} ${addr}: its transport is forbidden by the client's options (or unsupported)`)
    this.host.keepConnected(addr, kind)
  }

  ban(peer: string, why: string): void {
    this.o.log(2, `banning ${peer}: ${why}`)
    this.host.ban(peerIdFromString(peer), why)
  }

  /** Peers with a block-announces handshake, most recent first. */
  announcingPeers(): PeerInfo[] {
    return this.host.announcingPeers()
  }

  /** A peer's best block number (handshake, then its announces). */
  bestOf(peer: string): number {
    return this.host.announcingPeers().find((p) => p.peerId === peer)?.handshake?.bestNumber ?? 0
  }

  /** A peer's finalized height from its GRANDPA neighbor packets (undefined: it sent none). */
  finalizedOf(peer: string): number | undefined {
    return this.host.finalizedHeightOf(peer)
  }

  /** Peers whose best block is at least `minNumber` (all peers when none is). */
  peersFor(minNumber: number): string[] {
    const ps = this.host.announcingPeers().filter((p) => (p.handshake?.bestNumber ?? 0) >= minNumber).map((p) => p.peerId)
    return ps.length ? ps : this.host.announcingPeers().map((p) => p.peerId)
  }

  /** Addresses of the peers serving this chain now (what the finalized database saves). */
  peerAddresses(): string[] {
    return this.host.announcingPeers().flatMap((p) => {
      const conn = this.host.libp2p.getConnections(peerIdFromString(p.peerId))[0]
      if (!conn) return []
      const a = conn.remoteAddr.toString()
      return [a.includes('/p2p/') ? a : `${a}/p2p/${p.peerId}`]
    })
  }

  /** Resolves when a peer completes its handshake, or after `ms`. */
  peerArrival(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.peerWaiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.peerWaiters.add(done)
    })
  }

  /**
   * Asks peers in turn until one answers `ask` with a checked result; a peer whose answer fails its
   * check is banned by `ask` (throwing), one without an answer is skipped. A peer slow to answer does
   * not hold the request up to its timeout: after HEDGE_MS without an answer the next peer is asked as
   * well, and the first checked answer wins (the others are ignored when they come).
   */
  async withPeers<T>(at: { hash: Uint8Array; number: number }, what: string, ask: (peer: string) => Promise<T | undefined>): Promise<T> {
    // no peer yet (starting, or between peers): wait a little for one, as smoldot queues its requests
    if (this.host.announcingPeers().length === 0) await this.peerArrival(PEER_WAIT_MS)
    // each request starts with the next peer in turn: the load is spread, and every peer's answers get checked
    const eligible = this.peersFor(at.number)
    const first = eligible.length ? this.turn++ % eligible.length : 0
    const peers = [...eligible.slice(first), ...eligible.slice(0, first)]
    return new Promise<T>((resolve, reject) => {
      let next = 0
      let running = 0
      let settled = false
      let hedge: ReturnType<typeof setTimeout> | undefined
      const settle = (f: () => void) => {
        settled = true
        clearTimeout(hedge)
        f()
      }
      const launch = (): void => {
        clearTimeout(hedge)
        if (settled) return
        if (next === peers.length) {
          if (running === 0) settle(() => reject(new ChainAccessError(`no peer could prove the ${what} at ${toHex(at.hash)}`)))
          return
        }
        const peer = peers[next++]
        running++
        hedge = setTimeout(launch, HEDGE_MS)
        // never what keeps a process alive (a client being terminated)
        hedge.unref?.()
        ask(peer).then(
          (r) => {
            running--
            if (settled) return
            if (r !== undefined) settle(() => resolve(r))
            else launch()
          },
          (e) => {
            running--
            if (settled) return
            // the runtime's own failure on a complete proof is the answer, whoever proved it
            if (e instanceof ExecutorError) return settle(() => reject(e))
            // too large for the protocol: no peer can be asked
            if (e instanceof RequestTooLargeError) return settle(() => reject(new ChainAccessError(`cannot ask peers for the ${what}: ${e.message}`)))
            this.o.log(3, `${what} from ${peer}: ${(e as Error).message}`)
            launch()
          },
        )
      }
      launch()
    })
  }

  async stop(): Promise<void> {
    for (const w of [...this.peerWaiters]) w()
    await this.host.stop()
  }
}
