// One chain followed by the light client (service: sockets, timers): drives the pure `LightSync`
// machine with the network host. From the chain spec's genesis (runtime, GRANDPA set and Aura
// authorities computed locally from the raw genesis storage, no peer needed) it warp-syncs from the
// first peer to that peer's latest finalized block, downloads the runtime there by read proof and the
// Aura parameters by call proof, then follows new blocks from announces (ancestry fetched over sync/2),
// finality from GRANDPA commits and justifications. Storage, calls and bodies at any known block are
// answered from peers' proofs, checked against the block's header; a peer whose proof or block does not
// check out is banned and the next peer asked.
//
// A parachain (`relay` option) follows its relay chain instead: its finalized and best blocks are the
// para heads `Paras::Heads(para_id)` read by proof at the relay's finalized and best blocks; headers
// between them come from the parachain's peers, each linked by hash to a vouched head; no warp, no
// GRANDPA of its own. Storage, calls and bodies come from the parachain's peers as for any chain.

import type { Transports } from '../network/transports.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { Reader, Writer, bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../codec/index.ts'
import { storageKey } from '../crypto/index.ts'
import { genesisHeader, genesisStorage, type ChainSpec } from '../chain-spec/index.ts'
import { ExecutorError, HEAPPAGES_KEY, MemoryStorage, MissingStorageError, ProofStorage, Runtime, decodeRuntimeVersion, heapPagesOf, type RuntimeVersion } from '../executor/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import { decodeJustification, decodeWarpProof, initialGrandpaState, type GrandpaState } from '../finality/index.ts'
import { DatabaseError, decodeDatabase, encodeDatabase } from './database.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, NetworkHost, ProtocolError, RequestTooLargeError, ROLE_LIGHT, grandpaJustificationOf, type ChainServer, type GrandpaCommit } from '../network/index.ts'
import { LightSync, PendingCommits, checkpointStart, decodeAuraAuthorities, decodeBabeConfiguration, decodeBabeEpoch, decodeGrandpaStart, justificationFromCommit, type AuraConsensus, type Consensus, type LightSyncEvent } from '../sync/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, NodeMap, decodeProof, lookupPrefix, lookupValue, orderedTrieRoot, TrieProof, type MerkleValueLookup, type ProofLookup } from '../trie/index.ts'
import { ChainAccessError, type BlockRef, type ChainAccess } from '../json-rpc/index.ts'
import { auraKeyScheme } from '../verify/index.ts'
import { decodeHeader } from '../header/index.ts'

const CODE = utf8(':code')
/** Rounds of read proofs one descendants walk may take (each round covers up to 64 missing subtrees). */
const MAX_DESCENDANT_ROUNDS = 64
/** Verified blocks remembered after they leave the fork tree (headers only). */
const MAX_KNOWN_BLOCKS = 4096
/** How long a request waits for a first peer before answering that nobody could prove it. */
const PEER_WAIT_MS = 10_000
/** A peer's best block this far above ours means we are still syncing (as Substrate's major-sync distance). */
const SYNCING_DISTANCE = 5
/** A proof request unanswered this long is also sent to the next peer (the first checked answer wins). */
const HEDGE_MS = 3_000

export { ChainAccessError }

/** One trie at a block (the main trie, or a default child trie), as far as one proof shows it. */
interface TrieView {
  get(key: Uint8Array): ProofLookup
  closestDescendantMerkleValue(key: Uint8Array): MerkleValueLookup
}
/**
 * The root of the trie a read is about, reached through `nodes` from the block's state root: the state
 * root itself, or a default child trie's root read from the main trie; undefined when the state proves
 * the child trie absent. Throws when the nodes do not reach it (a bad proof).
 */
function trieRoot(nodes: NodeMap, stateRoot: Uint8Array, childKey: Uint8Array | undefined): Uint8Array | undefined {
  if (!nodes.has(stateRoot)) throw new Error('read proof without the state root')
  if (!childKey) return stateRoot
  const r = lookupValue(nodes, stateRoot, concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey))
  if (r.kind === 'unknown') throw new Error('the proof does not reach the child trie')
  if (r.kind === 'absent') return undefined
  if (!nodes.has(r.value)) throw new Error('the proof lacks the child trie root node')
  return r.value
}

/** The view of a child trie that the state proves absent. */
const NO_TRIE: TrieView = { get: () => ({ kind: 'absent' }), closestDescendantMerkleValue: () => ({ kind: 'none' }) }

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
  forbid?: { tcp?: boolean; ws?: boolean; nonLocalWs?: boolean; wss?: boolean }
}

/** Whether smoldot's `forbid*` options allow dialling `addr` (WebRTC is not supported at all yet). */
export function addressAllowed(addr: string, forbid: ChainServiceOptions['forbid'] = {}): boolean {
  const wss = /\/(wss|tls\/ws)(\/|$)/.test(addr)
  const ws = !wss && /\/ws(\/|$)/.test(addr)
  const tcp = !ws && !wss && /\/tcp\//.test(addr)
  if (/\/webrtc/.test(addr)) return false
  if (tcp) return !forbid.tcp
  if (wss) return !forbid.wss
  if (ws) return !forbid.ws && !(forbid.nonLocalWs && !/^\/(ip4\/127\.|ip6\/::1\/|dns4?\/localhost\/)/.test(addr))
  return false
}

/** Listeners get the machine's events as blocks are verified and finalized. */
export type ChainListener = (e: LightSyncEvent) => void

/**
 * The block-production parameters of runtime `rt` at a block, through `call` (over genesis storage, or
 * call proofs): Aura's authorities and slot duration, or BABE's configuration and epochs (at genesis, the
 * genesis epoch whose start slot block #1 fixes). `auraScheme` is asked only for Aura chains.
 */
async function consensusOf(rt: Runtime, call: (method: string) => Promise<Uint8Array>, atGenesis: boolean, auraScheme: () => Promise<AuraConsensus['scheme']>): Promise<Consensus> {
  if (rt.hasExport('AuraApi_authorities')) {
    return { kind: 'aura', authorities: decodeAuraAuthorities(await call('AuraApi_authorities')), slotMs: new Reader(await call('AuraApi_slot_duration')).u64(), scheme: await auraScheme() }
  }
  if (!rt.hasExport('BabeApi_configuration')) throw new ChainAccessError('this light client follows Aura or BABE chains: the runtime has neither AuraApi nor BabeApi')
  const conf = decodeBabeConfiguration(await call('BabeApi_configuration'))
  if (atGenesis) return { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } }
  const [current, next] = [decodeBabeEpoch(await call('BabeApi_current_epoch')), decodeBabeEpoch(await call('BabeApi_next_epoch'))]
  return { kind: 'babe', slotMs: conf.slotMs, epochs: { current, next, disabled: [] } }
}

/** Slot duration assumed for a checkpoint start until the runtime is known (every BABE relay chain has 6 s). */
const CHECKPOINT_SLOT_MS = 6000n

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

/** The trusted block the client starts from, with the consensus state after it. */
interface StartPoint {
  genesisHash: Uint8Array
  finalized: Header
  grandpa: GrandpaState
  consensus: Consensus
  /** The runtime at `finalized` and its heap pages, when known without the network (genesis). */
  runtime?: BlockRuntime
  /** The genesis state, when the spec holds it: genesis storage and calls are answered from it, no peer needed. */
  genesisState?: MemoryStorage
  /** Peers to dial besides the boot nodes (saved in a database). */
  peers: string[]
  /** For the log: where the start comes from. */
  from: string
  /** A recent start (a saved database): a peer close enough ahead is caught up with block by block, no warp. */
  recent?: boolean
}

/**
 * A block's runtime: its compiled `:code` and the `:heappages` read with it. Calls over a peer's call
 * proof run with these heap pages: a Substrate call proof never holds `:heappages` (nor `:code`).
 */
export interface BlockRuntime {
  runtime: Runtime
  heapPages: number
  /** The `:code` value it was compiled from (kept for the finalized database). */
  code: Uint8Array
}

/** Compiles a block's `:code` (off the event loop) with the heap pages its `:heappages` value sets. */
async function loadBlockRuntime(code: Uint8Array, heapPages: Uint8Array | number | undefined): Promise<BlockRuntime> {
  return { runtime: await Runtime.loadAsync(code), heapPages: typeof heapPages === 'number' ? heapPages : heapPagesOf(heapPages), code }
}

export class ChainService implements ChainAccess {
  readonly genesisHash: Uint8Array
  readonly sync: LightSync
  host!: NetworkHost
  private readonly listeners = new Set<ChainListener>()
  /** Compiled runtimes, with their heap pages, by the hash of the block whose state holds their code. */
  private readonly runtimes = new Map<string, BlockRuntime>()
  /**
   * Every block we verified (finalized ones included, which leave the fork tree): its header and the
   * block whose `:code` is its runtime. Pinned blocks stay usable after finality moves on. Bounded.
   */
  private readonly known = new Map<string, { header: Header; runtimeFrom: string }>()
  /** Hashes of finalized blocks we saw, by number (bounded like `known`). */
  private readonly finalizedByNumber = new Map<number, string>()
  private readonly now: () => number
  private readyResolve!: () => void
  /** Resolves once the client knows its starting finalized block and its runtime (after a warp, or genesis). */
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r))
  private ready_ = false
  /** True once the starting finalized block and its runtime are known (warp done, or no peer came). */
  get isReady(): boolean {
    return this.ready_
  }
  private warping: Promise<void> | undefined
  private stopped = false
  private readyTimer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    private readonly o: ChainServiceOptions,
    start: StartPoint,
  ) {
    this.genesisHash = start.genesisHash
    this.genesisState = start.genesisState
    this.now = o.now ?? Date.now
    const hash = headerHash(start.finalized)
    if (start.runtime) this.runtimes.set(toHex(hash), start.runtime)
    this.remember(hash, start.finalized, toHex(hash))
    this.sync = new LightSync(start.finalized, start.grandpa, start.consensus)
    this.recordFinalized(hash)
    this.savedPeers = start.peers
    this.recentStart = start.recent ?? false
    o.log(3, `starting from ${start.from}: #${start.finalized.number} ${toHex(hash)}`)
  }

  /**
   * Where to start: a valid saved database, else the spec's lightSyncState checkpoint, else its raw
   * genesis storage (runtime and consensus computed locally, no peer needed).
   */
  private static async startPoint(o: ChainServiceOptions): Promise<StartPoint> {
    const spec = o.spec
    const genesis = genesisHeader(spec)
    const genesisHash = headerHash(genesis)
    if (o.relay) {
      // a parachain starts at genesis; its first vouched para head moves it on (`followRelay`)
      const genesisState = spec.genesis.kind === 'raw' ? genesisStorage(spec.genesis) : undefined
      const code = genesisState?.get(CODE)
      const runtime = code ? await loadBlockRuntime(code, genesisState!.get(HEAPPAGES_KEY)) : undefined
      return { genesisHash, finalized: genesis, grandpa: initialGrandpaState(0n, []), consensus: { kind: 'relay' }, runtime, genesisState, peers: [], from: `genesis (parachain ${o.relay.paraId} of ${o.relay.chain.specId})` }
    }
    if (o.database) {
      try {
        const db = decodeDatabase(o.database, genesisHash)
        let runtime: BlockRuntime | undefined
        if (db.runtime) {
          try {
            runtime = await loadBlockRuntime(db.runtime.code, db.runtime.heapPages)
          } catch (e) {
            o.log(2, `ignoring the database's runtime (it is fetched again): ${(e as Error).message}`)
          }
        }
        return { genesisHash, finalized: db.finalized, grandpa: db.grandpa, consensus: db.consensus, runtime, peers: db.peers, from: "the database's finalized block", recent: true }
      } catch (e) {
        if (!(e instanceof DatabaseError)) throw e
        o.log(2, `ignoring the database content: ${e.message}`)
      }
    }
    if (spec.lightSyncState) {
      const c = checkpointStart(spec.lightSyncState)
      return { genesisHash, finalized: c.finalized, grandpa: c.grandpa, consensus: { kind: 'babe', slotMs: CHECKPOINT_SLOT_MS, epochs: c.babe }, peers: [], from: "the chain spec's checkpoint" }
    }
    if (spec.genesis.kind !== 'raw') throw new ChainAccessError('the chain spec has neither the raw genesis storage nor a lightSyncState checkpoint to start from')
    const storage = genesisStorage(spec.genesis)
    const code = storage.get(CODE)
    if (!code) throw new ChainAccessError('the genesis storage has no runtime code')
    const rt = await Runtime.loadAsync(code)
    const call = async (method: string) => rt.call(method, new Uint8Array(), { storage }).output
    if (!rt.hasExport('GrandpaApi_current_set_id')) throw new ChainAccessError('this light client follows chains finalized by GRANDPA: the genesis runtime has no GrandpaApi (a parachain needs its relay chain)')
    const consensus = await consensusOf(rt, call, true, async () => auraKeyScheme(await call('Metadata_metadata')) ?? 'sr25519')
    const grandpa = decodeGrandpaStart(await call('GrandpaApi_current_set_id'), await call('GrandpaApi_grandpa_authorities'))
    return { genesisHash, finalized: genesis, grandpa, consensus, runtime: { runtime: rt, heapPages: heapPagesOf(storage.get(HEAPPAGES_KEY)), code }, genesisState: storage, peers: [], from: 'genesis' }
  }

  /** Resolves when a peer completes its handshake, or after `ms`. */
  private peerArrival(ms: number): Promise<void> {
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
  private readonly peerWaiters = new Set<() => void>()

  /** Adds a peer found by the user (`sudo_unstable_p2pDiscover`) to the peer set, honouring the transport bans. */
  discover(addr: string): void {
    this.keep(addr, 'discovered', 'peer')
  }

  /** Adds an address to the peer set (dialled now, and again whenever it is not connected); a bad one is logged and skipped. */
  private keep(addr: string, kind: 'boot' | 'saved' | 'discovered', what: string): void {
    try {
      multiaddr(addr)
    } catch (e) {
      return this.o.log(2, `ignoring ${what} ${addr}: not a multiaddr (${(e as Error).message})`)
    }
    if (!addressAllowed(addr, this.o.forbid)) return this.o.log(3, `${what} ${addr}: its transport is forbidden by the client's options (or unsupported)`)
    this.host.keepConnected(addr, kind)
  }

  /** The spec's genesis state (raw genesis specs started at genesis): what genesis questions are answered from. */
  private readonly genesisState: MemoryStorage | undefined
  /** The genesis state when `hash` is the genesis block and the spec gave it. */
  private local(hash: Uint8Array): MemoryStorage | undefined {
    return this.genesisState && bytesEqual(hash, this.genesisHash) ? this.genesisState : undefined
  }

  /** Started from a saved database: skip the warp when the first peer is within the warp threshold. */
  private readonly recentStart: boolean

  /** Addresses of peers saved in the database we started from (dialled besides the boot nodes). */
  private savedPeers: string[] = []

  /**
   * The finalized database: our finalized block with the consensus state after it, and the peers that
   * serve this chain; at most `maxSize` characters (peers dropped first).
   */
  finalizedDatabase(maxSize?: number): string {
    const fin = this.sync.finalized
    const consensus = this.sync.consensusAt(fin.hash)!
    // parachains restart from their spec and the relay chain (no database format for them yet)
    if (consensus.consensus.kind === 'relay') return ''
    const peers = this.host.announcingPeers().flatMap((p) => {
      const conn = this.host.libp2p.getConnections(peerIdFromString(p.peerId))[0]
      if (!conn) return []
      const a = conn.remoteAddr.toString()
      return [a.includes('/p2p/') ? a : `${a}/p2p/${p.peerId}`]
    })
    const from = this.known.get(toHex(fin.hash))?.runtimeFrom
    const rt = from === undefined ? undefined : this.runtimes.get(from)
    return encodeDatabase({ genesisHash: this.genesisHash, finalized: fin.header, grandpa: consensus.grandpa, consensus: consensus.consensus, peers, runtime: rt && { code: rt.code, heapPages: rt.heapPages } }, maxSize)
  }

  static async start(o: ChainServiceOptions): Promise<ChainService> {
    const svc = new ChainService(o, await ChainService.startPoint(o))
    try {
      return await svc.startNetwork()
    } catch (e) {
      // nothing started is left running: no socket, no timer
      await svc.stop().catch(() => {})
      throw e
    }
  }

  /** Starts the network host, dials the boot and saved peers, and starts following. */
  private async startNetwork(): Promise<ChainService> {
    const o = this.o
    const svc = this
    svc.host = await NetworkHost.start({
      server: new NothingServed(svc.genesisHash, () => ({ number: svc.sync.finalized.header.number, hash: svc.sync.finalized.hash })),
      protocolId: o.spec.protocolId,
      listen: [],
      roles: ROLE_LIGHT,
      transports: o.transports({ tcp: !o.forbid?.tcp, ws: !(o.forbid?.ws && o.forbid?.wss) }),
      dialFilter: (addr) => addressAllowed(addr, o.forbid),
      targetPeers: 4,
      log: (l) => o.log(4, l),
      onPeer: (peer, hs) => {
        for (const w of [...svc.peerWaiters]) w()
        // a parachain's peers serve proofs and ancestry; what its blocks are, the relay chain says
        if (!o.relay) void svc.onPeer(peer, hs.bestNumber, hs.bestHash)
      },
      onAnnounce: (peer, a) => void (o.relay || svc.onHeaderFrom(peer, a.header)),
      onGrandpa: (peer, m) => {
        if (m.kind === 'commit' && !o.relay) svc.onCommit(peer, m)
      },
    })
    if (svc.stopped) return svc
    // a checkpoint or database starts in a later set than genesis's
    svc.announceGrandpaState()
    for (const b of new Set([...o.spec.bootNodes.map((b) => b.address), ...(o.bootNodes ?? [])])) svc.keep(b, 'boot', 'boot node')
    for (const p of svc.savedPeers) svc.keep(p, 'saved', 'saved peer')
    if (o.relay) {
      svc.stopFollowingRelay = o.relay.chain.onEvent(() => svc.followRelay())
      svc.followRelay()
      return svc
    }
    // without any peer, start from what the spec proves (genesis) after a while, as smoldot does
    svc.readyTimer = setTimeout(() => svc.markReady(), 5_000)
    svc.readyTimer.unref?.()
    return svc
  }

  /** The chain spec's id (what parachain specs name as their `relay_chain`). */
  get specId(): string {
    return this.o.spec.id
  }

  private stopFollowingRelay: (() => void) | undefined
  private relayBusy = false
  private relayAgain = false

  /** A parachain: reads the para heads again after any relay event (one read at a time, the last event wins). */
  private followRelay(): void {
    if (this.relayBusy) {
      this.relayAgain = true
      return
    }
    this.relayBusy = true
    void (async () => {
      try {
        do {
          this.relayAgain = false
          await this.readParaHeads()
        } while (this.relayAgain && !this.stopped)
      } catch (e) {
        this.o.log(3, `para head from the relay chain: ${(e as Error).message}`)
      } finally {
        this.relayBusy = false
      }
    })()
  }

  /** The relay's finalized and best para heads, vouched into the view (finalized first); ready after the first. */
  private async readParaHeads(): Promise<void> {
    const relay = this.o.relay!.chain
    await relay.ready
    if (this.stopped) return
    const finalized = await this.paraHeadAt(relay.finalized().hash)
    const best = await this.paraHeadAt(relay.best().hash)
    if (this.stopped || !finalized) return
    await this.vouch(finalized, true)
    if (best) await this.vouch(best, false)
    this.markReady()
  }

  /** `Paras::Heads(para_id)` at a relay block, proven by the relay chain: the parachain's header there (undefined: not registered). */
  private async paraHeadAt(relayHash: Uint8Array): Promise<Header | undefined> {
    const { chain, paraId } = this.o.relay!
    const [value] = await chain.storage(relayHash, [storageKey('Paras', 'Heads', ['Twox64Concat', new Writer().u32(paraId).finish()])])
    if (!value) return undefined
    return decodeHeader(new Reader(value).vecU8())
  }

  /**
   * Puts a head the relay chain vouches for into the view: inserted on a known parent, else after the
   * blocks between it and what we hold (from the parachain's peers, linked by hash); a finalized head
   * that cannot be linked restarts the view there (`reset` once following). Then finalizes it if asked.
   */
  private async vouch(header: Header, finalized: boolean): Promise<void> {
    const hash = headerHash(header)
    if (header.number < this.sync.finalized.header.number) return
    if (!this.sync.block(hash)) {
      const r = this.sync.insertHeader(header, this.now())
      let linked = r.kind !== 'unknownParent'
      if (r.kind === 'inserted') this.afterInsert('the relay chain', header, r)
      if (!linked) linked = await this.vouchAncestry(header, hash)
      if (!linked) {
        if (!finalized) return
        this.sync.restartAt(header)
        this.remember(hash, header, toHex(hash))
        this.recordFinalized(hash)
        this.o.log(3, `parachain: restarting at the relay's finalized para head #${header.number} ${toHex(hash)}`)
        if (this.isReady) this.emit([{ kind: 'reset' }])
        return
      }
    }
    if (finalized) this.emit(this.sync.finalizeVouched(hash))
  }

  /** The parachain blocks below a vouched head down to one we hold, from a peer; false when no peer links them. */
  private async vouchAncestry(header: Header, hash: Uint8Array): Promise<boolean> {
    const gap = header.number - this.sync.finalized.header.number
    if (gap > (this.o.warpThreshold ?? 128)) return false
    for (const peer of this.peersFor(header.number)) {
      let blocks
      try {
        blocks = await this.host.requestBlocks(peer, { fields: BLOCK_HEADER, from: { hash: header.parentHash }, direction: 'descending', maxBlocks: gap, supportMultipleJustifications: true })
      } catch (e) {
        this.o.log(3, `parachain ancestry from ${peer}: ${(e as Error).message}`)
        continue
      }
      // each header must be the parent the one above it names, down to a block we hold
      const chain: Header[] = []
      let expected = header.parentHash
      let bad: string | undefined
      for (const d of blocks) {
        if (this.sync.block(expected)) break
        let h: Header
        try {
          h = decodeHeader(d.header ?? new Uint8Array())
        } catch (e) {
          bad = `undecodable header: ${(e as Error).message}`
          break
        }
        if (!bytesEqual(headerHash(h), expected)) {
          bad = 'a header that is not the parent named above it'
          break
        }
        chain.push(h)
        expected = h.parentHash
      }
      if (bad) {
        this.ban(peer, `parachain ancestry: ${bad}`)
        continue
      }
      if (!this.sync.block(expected)) continue
      for (const h of [...chain.reverse(), header]) {
        const r = this.sync.insertHeader(h, this.now())
        if (r.kind === 'inserted') this.afterInsert(peer, h, r)
      }
      return true
    }
    return false
  }

  private recordFinalized(hash: Uint8Array): void {
    const header = this.header(hash)
    if (!header) return
    this.finalizedByNumber.set(header.number, toHex(hash))
    if (this.finalizedByNumber.size > MAX_KNOWN_BLOCKS) this.finalizedByNumber.delete(this.finalizedByNumber.keys().next().value!)
  }

  private remember(hash: Uint8Array, header: Header, runtimeFrom: string): void {
    this.known.set(toHex(hash), { header, runtimeFrom })
    if (this.known.size > MAX_KNOWN_BLOCKS) this.known.delete(this.known.keys().next().value!)
  }

  onEvent(fn: ChainListener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private emit(events: LightSyncEvent[]): void {
    for (const e of events) {
      if (e.kind === 'finalized') {
        for (const h of e.hashes) this.recordFinalized(h)
        this.announceGrandpaState()
      }
      for (const fn of this.listeners) fn(e)
    }
  }

  /** Our GRANDPA set and finalized height to peers (they send commits only to peers on their set). */
  private announceGrandpaState(): void {
    const set = this.o.relay ? undefined : this.sync.setAt(this.sync.finalized.hash)
    if (set) this.host?.announceGrandpaState(set.setId, this.sync.finalized.header.number)
  }

  private markReady(): void {
    if (this.ready_) return
    this.ready_ = true
    clearTimeout(this.readyTimer)
    this.readyResolve()
  }

  private ban(peer: string, why: string): void {
    this.o.log(2, `banning ${peer}: ${why}`)
    this.host.ban(peerIdFromString(peer), why)
  }

  private peersFor(minNumber: number): string[] {
    const ps = this.host.announcingPeers().filter((p) => (p.handshake?.bestNumber ?? 0) >= minNumber).map((p) => p.peerId)
    return ps.length ? ps : this.host.announcingPeers().map((p) => p.peerId)
  }

  /**
   * First contact: before the client is ready, warp to the peer's finalized block when it is ahead (one
   * warp at a time; when a peer's warp fails — it is banned for a bad proof — the next peer tries); then
   * catch up to the peer's best block.
   */
  private async onPeer(peer: string, bestNumber: number, bestHash: Uint8Array): Promise<void> {
    if (this.stopped) return
    try {
      // a restart from a saved database close to the peer skips the warp: the blocks in between come by ancestry
      const skipWarp = this.recentStart && !this.farBehind(bestNumber)
      while (!skipWarp && !this.ready_ && bestNumber > this.sync.finalized.header.number) {
        if (this.warping) {
          await this.warping
          continue
        }
        let ok = false
        this.warping = this.warpFrom(peer).then(
          () => void (ok = true),
          (e) => this.o.log(3, `warp sync from ${peer}: ${(e as Error).message}`),
        )
        await this.warping
        this.warping = undefined
        if (!ok) return
        break
      }
      if (this.stopped) return
      this.markReady()
      if (this.farBehind(bestNumber)) await this.warpAgain(peer)
      await this.fetchAncestry(peer, bestHash, bestNumber)
    } catch (e) {
      this.o.log(3, `sync with ${peer}: ${(e as Error).message}`)
    }
  }

  /** Whether a block number is further above our finalized block than ancestry fetches reach. */
  private farBehind(number: number): boolean {
    return number - this.sync.finalized.header.number > (this.o.warpThreshold ?? 128)
  }

  /**
   * Far behind a peer once following: warp to its finalized block (one warp at a time). What the client
   * knew above its old finalized block is gone, so listeners get a `reset` (chainHead follows end with
   * `stop`, as the spec asks when a client cannot report the chain continuously).
   */
  private async warpAgain(peer: string): Promise<void> {
    if (this.warping) return this.warping
    const before = this.sync.finalized.hash
    this.warping = this.warpFrom(peer).catch((e) => this.o.log(3, `warp sync from ${peer}: ${(e as Error).message}`))
    await this.warping
    this.warping = undefined
    if (!bytesEqual(before, this.sync.finalized.hash)) this.emit([{ kind: 'reset' }])
  }

  private async warpFrom(peer: string): Promise<void> {
    const bytes = await this.host.requestWarpProof(peer, this.sync.finalized.hash)
    let advanced: boolean
    let header: Header
    try {
      ;({ advanced, header } = this.sync.applyWarpProof(decodeWarpProof(bytes)))
    } catch (e) {
      this.ban(peer, `bad warp proof: ${(e as Error).message}`)
      throw e
    }
    if (!advanced) return
    const hash = headerHash(header)
    this.remember(hash, header, toHex(hash))
    this.recordFinalized(hash)
    this.announceGrandpaState()
    // the Aura parameters or BABE epochs of the new finalized block, by call proofs (its runtime is
    // fetched first); the Aura key scheme is the chain's, known from the start
    const { runtime: rt } = await this.runtimeAt(hash)
    const scheme = this.sync.auraScheme
    this.sync.setConsensus(await consensusOf(rt, (method) => this.call(hash, method, new Uint8Array()), false, async () => scheme))
    this.o.log(3, `warp sync: finalized #${header.number} ${toHex(hash)}`)
  }

  /** Fetches the blocks between our finalized block and `hash` from `peer` and inserts them oldest first. */
  private async fetchAncestry(peer: string, hash: Uint8Array, number: number): Promise<void> {
    const have = this.sync.block(hash)
    if (have || number <= this.sync.finalized.header.number) return
    const max = Math.min(128, number - this.sync.finalized.header.number)
    const blocks = await this.host.requestBlocks(peer, { fields: BLOCK_HEADER | BLOCK_JUSTIFICATION, from: { hash }, direction: 'descending', maxBlocks: max, supportMultipleJustifications: true })
    const decoded: { header: Header; justification?: Uint8Array }[] = []
    for (const d of blocks) {
      if (!d.header) return this.ban(peer, 'block response without a header')
      let header: Header
      try {
        header = decodeHeader(d.header)
      } catch (e) {
        return this.ban(peer, `undecodable header: ${(e as Error).message}`)
      }
      if (!bytesEqual(headerHash(header), d.hash)) return this.ban(peer, 'block response: header does not match its hash')
      let justification: Uint8Array | undefined
      try {
        justification = grandpaJustificationOf(d)
      } catch (e) {
        if (e instanceof ProtocolError) return this.ban(peer, e.message)
        throw e
      }
      decoded.push({ header, justification })
    }
    for (const b of decoded.reverse()) {
      if (!this.insert(peer, b.header)) return
      if (b.justification) this.applyJustificationFrom(peer, b.justification)
    }
  }

  /** A header from a peer (announce): inserted, or its missing ancestry fetched first. */
  private async onHeaderFrom(peer: string, header: Header): Promise<void> {
    if (this.stopped || !this.isReady) return
    const r = this.sync.insertHeader(header, this.now())
    if (r.kind === 'unknownParent') {
      if (this.farBehind(header.number)) await this.warpAgain(peer)
      await this.fetchAncestry(peer, headerHash(header), header.number).catch((e) => this.o.log(3, `ancestry from ${peer}: ${(e as Error).message}`))
      return
    }
    this.afterInsert(peer, header, r)
  }

  private insert(peer: string, header: Header): boolean {
    return this.afterInsert(peer, header, this.sync.insertHeader(header, this.now()))
  }

  private afterInsert(peer: string, header: Header, r: ReturnType<LightSync['insertHeader']>): boolean {
    if (r.kind === 'invalid') {
      this.ban(peer, r.reason)
      return false
    }
    if (r.kind === 'inserted') {
      const hash = headerHash(header)
      const upgraded = header.digest.some((d) => d.type === 'runtimeEnvironmentUpdated')
      if (upgraded) this.o.log(3, `runtime upgraded at #${header.number}`)
      // a block's runtime is its parent's, unless its header says the runtime changed
      this.remember(hash, header, upgraded ? toHex(hash) : (this.known.get(toHex(header.parentHash))?.runtimeFrom ?? toHex(hash)))
      this.emit(r.events)
      this.retryPendingCommits()
    }
    // a header met while the consensus after a warp is being fetched is dropped (it comes back by ancestry)
    return r.kind !== 'unknownParent' && r.kind !== 'consensusPending'
  }

  private applyJustificationFrom(peer: string, bytes: Uint8Array): void {
    try {
      this.emit(this.sync.applyJustification(decodeJustification(bytes)))
    } catch (e) {
      this.ban(peer, `bad justification: ${(e as Error).message}`)
    }
  }

  /**
   * A GRANDPA commit from a peer. One whose target (or a precommit's) is not on our chain yet — its block
   * announce still on the way, or its ancestry being fetched — is kept (`PendingCommits`) and tried again
   * as blocks arrive.
   */
  private onCommit(peer: string, commit: GrandpaCommit): void {
    if (!this.isReady || commit.targetNumber <= this.sync.finalized.header.number) return
    const set = this.sync.setAt(commit.targetHash)
    const j = set && justificationFromCommit(commit, { blockAt: (n) => this.sync.canonicalAt(n) })
    if (!j) {
      // on our chain under another set: not for us; otherwise wait for its blocks
      if (!set || set.setId === commit.setId) this.pendingCommits.hold(peer, commit)
      return
    }
    if (set.setId !== commit.setId) return
    try {
      this.emit(this.sync.applyJustification(j))
    } catch (e) {
      this.ban(peer, `bad GRANDPA commit: ${(e as Error).message}`)
    }
  }

  /** Tries the commits that waited for their blocks again (after new blocks). */
  private retryPendingCommits(): void {
    if (this.pendingCommits.size === 0) return
    const ready = (c: GrandpaCommit) => justificationFromCommit(c, { blockAt: (n) => this.sync.canonicalAt(n) }) !== undefined
    for (const [peer, commit] of this.pendingCommits.take(this.sync.finalized.header.number, ready)) this.onCommit(peer, commit)
  }
  private readonly pendingCommits = new PendingCommits()

  /** The header of a known block (in the fork tree, or recently finalized), else undefined. */
  header(hash: Uint8Array): Header | undefined {
    return this.sync.block(hash)?.header ?? this.known.get(toHex(hash))?.header
  }

  /**
   * Asks peers in turn until one answers `ask` with a checked result; a peer whose answer fails its
   * check is banned by `ask` (throwing), one without an answer is skipped. A peer slow to answer does
   * not hold the request up to its timeout: after HEDGE_MS without an answer the next peer is asked as
   * well, and the first checked answer wins (the others are ignored when they come).
   */
  private async withProofs<T>(hash: Uint8Array, what: string, ask: (peer: string) => Promise<T | undefined>): Promise<T> {
    const number = this.header(hash)?.number ?? 0
    // no peer yet (starting, or between peers): wait a little for one, as smoldot queues its requests
    if (this.host.announcingPeers().length === 0) await this.peerArrival(PEER_WAIT_MS)
    const peers = this.peersFor(number)
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
          if (running === 0) settle(() => reject(new ChainAccessError(`no peer could prove the ${what} at ${toHex(hash)}`)))
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

  /**
   * A read proof for `keys` at `hash` (in the default child trie `childKey` when given), checked against
   * the block's state root: the view of the trie it proves. A bad proof bans its sender.
   */
  private async provenRead(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<{ view: TrieView; nodes: Uint8Array[] }> {
    const header = this.header(hash)
    if (!header) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    return this.withProofs(hash, 'storage', async (peer) => {
      const proof = await this.host.requestProof(peer, childKey ? { kind: 'readChild', block: hash, childKey, keys } : { kind: 'read', block: hash, keys })
      if (!proof) return undefined
      try {
        const nodes = decodeProof(proof)
        const map = new NodeMap()
        map.add(nodes)
        const root = trieRoot(map, header.stateRoot, childKey)
        if (!root) return { view: NO_TRIE, nodes }
        const view = TrieProof.over(root, map)
        for (const k of keys) if (view.get(k).kind === 'unknown') throw new Error(`the proof does not cover ${toHex(k)}`)
        return { view, nodes }
      } catch (e) {
        this.ban(peer, `bad read proof: ${(e as Error).message}`)
        throw e
      }
    })
  }

  /** The nodes of a checked read proof of `keys` at `hash` (`state_getReadProof`). */
  async readProof(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<Uint8Array[]> {
    return (await this.provenRead(hash, keys, childKey)).nodes
  }

  /**
   * Every key and value under `prefix` at `hash`, by proof-guided walks: a read proof of the prefix, then
   * read proofs of the keys leading to whatever the nodes so far do not prove, until the scan is
   * complete (each node is trusted only when reached by hash from the state root). Bounded in rounds.
   */
  private async descendantEntries(hash: Uint8Array, prefix: Uint8Array, childKey: Uint8Array | undefined): Promise<[Uint8Array, Uint8Array][]> {
    const header = this.header(hash)
    if (!header) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    return this.withProofs(hash, 'descendants', async (peer) => {
      const nodes = new NodeMap()
      let ask = [prefix]
      for (let round = 0; round < MAX_DESCENDANT_ROUNDS; round++) {
        const proof = await this.host.requestProof(peer, childKey ? { kind: 'readChild', block: hash, childKey, keys: ask } : { kind: 'read', block: hash, keys: ask })
        if (!proof) return undefined
        let root: Uint8Array | undefined
        try {
          nodes.add(decodeProof(proof))
          root = trieRoot(nodes, header.stateRoot, childKey)
          if (!root) return []
        } catch (e) {
          this.ban(peer, `bad read proof: ${(e as Error).message}`)
          throw e
        }
        const scan = lookupPrefix(nodes, root, prefix)
        if (scan.complete) return scan.entries as [Uint8Array, Uint8Array][]
        const next = scan.missing.slice(0, 64)
        // a proof that brought nothing new for what was asked: this peer cannot (or will not) prove more
        if (next.length === ask.length && next.every((k, i) => bytesEqual(k, ask[i]))) return undefined
        ask = next
      }
      return undefined
    })
  }

  async *descendants(hash: Uint8Array, prefix: Uint8Array, childKey?: Uint8Array): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const state = this.local(hash)
    if (state) return yield* state.entriesUnder(prefix, childKey)
    yield* await this.descendantEntries(hash, prefix, childKey)
  }

  /** Values of `keys` at `hash` (undefined when proven absent), from one read proof. */
  async storage(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<(Uint8Array | undefined)[]> {
    const state = this.local(hash)
    if (state) return keys.map((k) => (childKey ? state.childGet(childKey, k) : state.get(k)))
    const { view } = await this.provenRead(hash, keys, childKey)
    return keys.map((k) => {
      const r = view.get(k)
      return r.kind === 'value' ? r.value : undefined
    })
  }

  async closestDescendantMerkleValue(hash: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Promise<Uint8Array | undefined> {
    const m = (await this.provenRead(hash, [key], childKey)).view.closestDescendantMerkleValue(key)
    return m.kind === 'found' ? m.merkleValue : undefined
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
  hashAt(number: number): Uint8Array | undefined {
    if (number >= this.sync.finalized.header.number) return this.sync.canonicalAt(number)?.hash
    const h = this.finalizedByNumber.get(number)
    return h === undefined ? undefined : fromHex(h)
  }
  /** Whether the block's header says its runtime changed (`RuntimeEnvironmentUpdated`). */
  runtimeChanged(hash: Uint8Array): boolean {
    return this.header(hash)?.digest.some((d) => d.type === 'runtimeEnvironmentUpdated') ?? false
  }

  /**
   * The runtime in force at `hash`: the nearest block at or below it whose header changed the runtime, or
   * the start. Its `:code` and `:heappages` come by one read proof and the code compiles asynchronously
   * (off the event loop); requests for a runtime already on its way share the download.
   */
  runtimeAt(hash: Uint8Array): Promise<BlockRuntime> {
    const key = this.known.get(toHex(hash))?.runtimeFrom
    if (!key) return Promise.reject(new ChainAccessError(`unknown block ${toHex(hash)}`))
    const cached = this.runtimes.get(key)
    if (cached) return Promise.resolve(cached)
    let loading = this.runtimeLoads.get(key)
    if (!loading) {
      loading = (async () => {
        const { view } = await this.provenRead(fromHex(key), [CODE, HEAPPAGES_KEY])
        const code = view.get(CODE)
        const pages = view.get(HEAPPAGES_KEY)
        if (code.kind !== 'value') throw new ChainAccessError(`the block ${key} has no runtime code`)
        const rt = await loadBlockRuntime(code.value, pages.kind === 'value' ? pages.value : undefined)
        this.runtimes.set(key, rt)
        return rt
      })().finally(() => this.runtimeLoads.delete(key))
      this.runtimeLoads.set(key, loading)
    }
    return loading
  }
  /** Runtime downloads in progress, by the block whose `:code` they fetch. */
  private readonly runtimeLoads = new Map<string, Promise<BlockRuntime>>()

  /** Runs `method` at `hash` on a call proof from a peer; the output, or an ExecutorError from the runtime. */
  async call(hash: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array> {
    const header = this.header(hash)
    if (!header) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    const { runtime: rt, heapPages } = await this.runtimeAt(hash)
    const state = this.local(hash)
    if (state) return rt.call(method, args, { storage: state, heapPages }).output
    return this.withProofs(hash, 'call', async (peer) => {
      const proof = await this.host.requestProof(peer, { kind: 'call', block: hash, method, data: args })
      if (!proof) return undefined
      let storage: ProofStorage
      try {
        storage = new ProofStorage(header.stateRoot, decodeProof(proof))
      } catch (e) {
        this.ban(peer, `bad call proof: ${(e as Error).message}`)
        throw e
      }
      try {
        return rt.call(method, args, { storage, heapPages }).output
      } catch (e) {
        // a proof lacking what the call reads: this peer could not answer (it may not hold that state, or
        // prove it differently), not misbehaviour: the next peer is asked. The runtime's own failure on a
        // complete proof is the answer, whoever proved it.
        if (e instanceof MissingStorageError) {
          this.o.log(3, `call proof from ${peer} lacks ${toHex(e.key)}: asking another peer`)
          return undefined
        }
        throw e
      }
    })
  }

  async runtimeVersion(hash: Uint8Array): Promise<RuntimeVersion> {
    const { runtime: rt } = await this.runtimeAt(hash)
    return rt.embeddedVersion ?? decodeRuntimeVersion(await this.call(hash, 'Core_version', new Uint8Array()))
  }

  /** The body of a known block, checked against its extrinsics root. */
  async body(hash: Uint8Array): Promise<Uint8Array[]> {
    const header = this.header(hash)
    if (!header) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    return this.withProofs(hash, 'body', async (peer) => {
      const [d] = await this.host.requestBlocks(peer, { fields: BLOCK_BODY, from: { hash }, direction: 'ascending', maxBlocks: 1, supportMultipleJustifications: true })
      if (!d || !bytesEqual(d.hash, hash)) return undefined
      const body = d.body ?? []
      const matches = ([0, 1] as const).some((v) => bytesEqual(orderedTrieRoot(body, v), header.extrinsicsRoot))
      if (!matches) {
        this.ban(peer, 'block body does not match the extrinsics root')
        throw new ChainAccessError('bad body')
      }
      return body
    })
  }

  /** Peers we hold a block-announces handshake with (what `system_health` and `system_peers` count). */
  get peerCount(): number {
    return this.host.announcingPeers().length
  }

  /**
   * Whether the client is still catching up (`system_health.isSyncing`): no peer yet (offline: what it
   * shows may be months old), the starting warp not done, or the best block far below a peer's.
   */
  get isSyncing(): boolean {
    const peers = this.host.announcingPeers()
    if (peers.length === 0 || !this.isReady) return true
    const best = this.sync.best.header.number
    return peers.some((p) => (p.handshake?.bestNumber ?? 0) > best + SYNCING_DISTANCE)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.stopFollowingRelay?.()
    clearTimeout(this.readyTimer)
    this.listeners.clear()
    for (const w of [...this.peerWaiters]) w()
    await this.host?.stop()
  }
}

