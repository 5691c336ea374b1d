// The sync service of a chain with its own GRANDPA finality (a relay chain or a solo chain): warps to a
// peer's finalized block when it is far ahead (two phases, committed in one step: `warp-driver.ts`), then
// follows new blocks from announces (ancestry fetched over sync/2), finality from GRANDPA commits and
// justifications — and recovers it: when a block enacting a set change is not finalized by a commit (one
// was missed: commits of the next set cannot be checked before it), its justification is asked of peers;
// when peers' finalized heights (neighbor packets) run far ahead, it warps again. A checkpoint no peer
// knows (another run of the chain) gives way to genesis when the spec holds the genesis storage.

import { bytesEqual, toHex } from '../codec/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { decodeJustification, precommitSignatures, type GrandpaJustification } from '../finality/index.ts'
import { BLOCK_HEADER, BLOCK_JUSTIFICATION, ProtocolError, grandpaJustificationOf, type GrandpaCommit, type GrandpaGossip } from '../network/index.ts'
import { PendingCommits, justificationFromCommit } from '../sync/index.ts'
import { SR25519_WARM_UP, preverifyEd25519 } from '../crypto/index.ts'
import { genesisStart, type StartPoint } from './start-point.ts'
import { SyncService } from './sync-service.ts'
import { warpFrom } from './warp-driver.ts'
import type { ChainSpec } from '../chain-spec/index.ts'

/** A peer's finalized block this far above ours makes a warp worth it (smoldot: 32). */
const WARP_MIN_GAP = 32
/** How often the service checks finality and peers' heights (ms). */
const TICK_MS = 2_000
/** Without a peer, the client starts from what it holds after this long, as smoldot does (ms). */
const READY_WITHOUT_PEERS_MS = 5_000
/** A set-change block's justification is asked for again at most this often (ms). */
const JUSTIFICATION_RETRY_MS = 4_000
/** Failed warps from the checkpoint, with every peer, before the peers are taken not to know it. */
const CHECKPOINT_MISSES = 2

export interface StandaloneOptions {
  spec: ChainSpec
  /** Blocks a peer may be ahead of our finalized block before we warp to it instead of fetching the blocks between. */
  warpThreshold: number
  start: StartPoint
}

export class StandaloneSync extends SyncService {
  private warping: Promise<boolean> | undefined
  private readyTimer: ReturnType<typeof setTimeout> | undefined
  private readyDue = false
  private tick: ReturnType<typeof setInterval> | undefined
  private readonly pendingCommits = new PendingCommits()
  /** Set-change blocks whose justification was asked for, and when. */
  private readonly justificationAsked = new Map<string, number>()
  /** Started from a checkpoint and still there: failed warps by peer (the peers may not know it). */
  private checkpointMisses: Map<string, number> | undefined
  /** Our finalized number when it last moved, and when (for "finality stalled while peers are ahead"). */
  private lastProgress = { number: 0, at: 0 }

  constructor(private readonly o: StandaloneOptions, log: (level: number, message: string) => void) {
    super(o.start, log)
    if (o.start.checkpoint) this.checkpointMisses = new Map()
  }

  start(): void {
    // a checkpoint or database starts in a later set than genesis's
    this.onFinalized()
    this.lastProgress = { number: this.sync.finalized.header.number, at: this.now() }
    // without any peer, start from what the spec proves after a while — not while a warp is in flight
    this.readyTimer = setTimeout(() => {
      this.readyDue = true
      if (!this.warping) this.markReady()
    }, READY_WITHOUT_PEERS_MS)
    this.readyTimer.unref?.()
    this.tick = setInterval(() => void this.onTick(), TICK_MS)
    this.tick.unref?.()
    // the first sr25519/VRF check of a process costs ~100 ms at once: paid now, while connecting, not mid-sync
    if (this.sync.consensusKind === 'babe' || this.sync.auraScheme === 'sr25519') {
      SR25519_WARM_UP.forEach((step, i) => setTimeout(step, 10 * i).unref?.())
    }
  }

  protected override markReady(): void {
    clearTimeout(this.readyTimer)
    super.markReady()
  }

  protected override onFinalized(): void {
    const set = this.sync.setAt(this.sync.finalized.hash)
    if (set) this.net?.host.announceGrandpaState(set.setId, this.sync.finalized.header.number)
  }

  /** Whether a block number is further above our finalized block than ancestry fetches reach. */
  private farBehind(number: number): boolean {
    return number - this.sync.finalized.header.number > this.o.warpThreshold
  }

  /**
   * First contact: before the client is ready, warp to the peer's finalized block when it is ahead; then
   * catch up to the peer's best block (a warp again first when it is far ahead).
   */
  onPeer(peer: string, bestNumber: number, bestHash: Uint8Array): void {
    void (async () => {
      if (this.stopped) return
      // a restart from a saved database close to the peer skips the warp: the blocks in between come by ancestry
      const skipWarp = this.o.start.recent && !this.farBehind(bestNumber)
      // before the client is ready, a warp that failed leaves it waiting for another peer (or the tick's retry)
      if (!this.isReady && !skipWarp && bestNumber > this.sync.finalized.header.number && !(await this.warp(peer))) return
      if (this.stopped) return
      this.markReady()
      if (this.farBehind(bestNumber)) await this.warp(peer)
      await this.fetchAncestry(peer, bestHash, bestNumber)
    })().catch((e) => this.log(3, `sync with ${peer}: ${(e as Error).message}`))
  }

  /** A header from a peer (announce): inserted, or its missing ancestry fetched first. */
  onAnnounce(peer: string, header: Header): void {
    if (this.stopped || !this.isReady) return
    const r = this.sync.insertHeader(header, this.now())
    if (r.kind !== 'unknownParent') return void this.afterInsert(peer, header, r)
    void (async () => {
      if (this.farBehind(header.number)) await this.warp(peer)
      await this.fetchAncestry(peer, headerHash(header), header.number)
    })().catch((e) => this.log(3, `ancestry from ${peer}: ${(e as Error).message}`))
  }

  onGrandpa(peer: string, m: GrandpaGossip): void {
    if (m.kind === 'commit') this.onCommit(peer, m)
  }

  /**
   * Warps from `peer` (one warp at a time: a caller arriving meanwhile waits for the one in flight) and
   * commits the outcome in one step; the old view stays whole on any failure.
   */
  private async warp(peer: string): Promise<boolean> {
    if (this.warping) return this.warping
    this.warping = (async () => {
      const before = this.sync.finalized.header.number
      const r = await warpFrom({ sync: this.sync, net: this.net, runtimes: this.runtimes, stopped: () => this.stopped }, peer)
      if (this.stopped) return false
      if (r.kind === 'failed') {
        this.log(3, `warp sync from ${peer}: ${r.reason}`)
        if (r.requestFailed) await this.checkpointMissed(peer)
        return false
      }
      if (r.kind === 'nothingNewer') {
        const theirs = this.net.finalizedOf(peer)
        if (theirs !== undefined && theirs >= before + WARP_MIN_GAP) this.log(3, `warp sync from ${peer}: an empty proof, though it finalized #${theirs}`)
        else this.checkpointMisses = undefined
        return theirs === undefined || theirs < before + WARP_MIN_GAP
      }
      const { target, runtime, consensus } = r
      if (target.finalized.number <= this.sync.finalized.header.number) return true
      this.checkpointMisses = undefined
      this.restartView(target.finalized, target.finalizedHash, () => this.sync.restart(target.finalized, { setId: target.set.setId, authorities: target.set.authorities, pending: [], disabled: [], pausedAt: undefined }, consensus))
      this.runtimes.seed(target.finalizedHash, runtime)
      this.progressed()
      this.log(3, `warp sync: finalized #${target.finalized.number} ${toHex(target.finalizedHash)} (${r.fragments} fragments in ${r.responses} responses)`)
      return true
    })()
    try {
      return await this.warping
    } finally {
      this.warping = undefined
      if (this.readyDue) this.markReady()
    }
  }

  /**
   * A warp from our checkpoint failed to be answered. When every peer failed so, twice, they do not know
   * the checkpoint (another run of the chain, or a fork): start from genesis when the spec holds its
   * storage, else say so plainly.
   */
  private async checkpointMissed(peer: string): Promise<void> {
    const misses = this.checkpointMisses
    if (!misses) return
    misses.set(peer, (misses.get(peer) ?? 0) + 1)
    const peers = this.net.announcingPeers().map((p) => p.peerId)
    if (peers.length === 0 || !peers.every((p) => (misses.get(p) ?? 0) >= CHECKPOINT_MISSES)) return
    this.checkpointMisses = undefined
    const fin = this.sync.finalized
    const what = `no peer knows the chain spec's checkpoint #${fin.header.number} ${toHex(fin.hash)}`
    if (this.o.spec.genesis.kind !== 'raw') return this.log(1, `${what}, and the spec has no genesis storage to start from instead: cannot sync`)
    this.log(2, `${what}: starting from genesis instead`)
    const g = await genesisStart(this.o.spec)
    if (this.stopped) return
    this.restartView(g.finalized, g.genesisHash, () => this.sync.restart(g.finalized, g.grandpa, g.consensus))
    this.runtimes.seed(g.genesisHash, g.runtime!)
    this.storageGenesis?.(g)
    this.progressed()
  }

  /** Set by the chain service: the genesis state answers genesis questions once the view starts there. */
  storageGenesis: ((g: StartPoint) => void) | undefined

  /** Fetches the blocks between our finalized block and `hash` from `peer` and inserts them oldest first. */
  private async fetchAncestry(peer: string, hash: Uint8Array, number: number): Promise<void> {
    if (this.sync.block(hash) || number <= this.sync.finalized.header.number) return
    const max = Math.min(128, number - this.sync.finalized.header.number)
    const blocks = await this.net.host.requestBlocks(peer, { fields: BLOCK_HEADER | BLOCK_JUSTIFICATION, from: { hash }, direction: 'descending', maxBlocks: max, supportMultipleJustifications: true })
    const decoded: { header: Header; after?: () => void }[] = []
    const justifications: Uint8Array[] = []
    for (const d of blocks) {
      if (!d.header) return this.net.ban(peer, 'block response without a header')
      let header: Header
      try {
        header = decodeHeader(d.header)
      } catch (e) {
        return this.net.ban(peer, `undecodable header: ${(e as Error).message}`)
      }
      if (!bytesEqual(headerHash(header), d.hash)) return this.net.ban(peer, 'block response: header does not match its hash')
      let justification: Uint8Array | undefined
      try {
        justification = grandpaJustificationOf(d)
      } catch (e) {
        if (e instanceof ProtocolError) return this.net.ban(peer, e.message)
        throw e
      }
      if (justification) justifications.push(justification)
      decoded.push({ header, after: justification && (() => this.applyJustificationFrom(peer, justification)) })
    }
    const checked = this.preverify(justifications)
    if (checked) {
      await checked
      if (this.stopped) return
    }
    // down to just above our finalized block, and not on it: the peer's chain does not go through our
    // finalized block (a checkpoint from another run of the chain: counted as the peer not knowing it)
    const fin = this.sync.finalized
    const oldest = decoded.at(-1)?.header
    if (oldest && oldest.number === fin.header.number + 1 && !bytesEqual(oldest.parentHash, fin.hash)) {
      this.log(3, `${peer}'s chain does not go through our finalized block #${fin.header.number} ${toHex(fin.hash)}`)
      return this.checkpointMissed(peer)
    }
    await this.insertAll(peer, decoded.reverse())
  }

  /**
   * In a browser, the justifications' signatures checked by WebCrypto before they are verified (see
   * `preverifyEd25519`); undefined when there is nothing to wait for (always under Node). Each is taken as
   * signed by the set of its target, or of our finalized block's children when its target is not known yet.
   */
  private preverify(justifications: (Uint8Array | GrandpaJustification)[]): Promise<void> | undefined {
    if (justifications.length === 0) return undefined
    return preverifyEd25519(() =>
      justifications.flatMap((b) => {
        try {
          const j = b instanceof Uint8Array ? decodeJustification(b) : b
          const set = this.sync.setAt(j.targetHash) ?? this.sync.setAt(this.sync.finalized.hash)
          return set ? precommitSignatures(j, set.setId) : []
        } catch {
          return [] // undecodable: refused when it is applied
        }
      }),
    )
  }

  private applyJustificationFrom(peer: string, bytes: Uint8Array): void {
    try {
      this.emit(this.sync.applyJustification(decodeJustification(bytes)))
    } catch (e) {
      this.net.ban(peer, `bad justification: ${(e as Error).message}`)
    }
  }

  /**
   * A GRANDPA commit from a peer. One whose target (or a precommit's) is not on our chain yet — its block
   * announce still on the way, or its ancestry being fetched — is kept (`PendingCommits`) and tried again
   * as blocks arrive. One of a later set than its target's means we missed the set change's finality.
   */
  private onCommit(peer: string, commit: GrandpaCommit): void {
    if (!this.isReady || commit.targetNumber <= this.sync.finalized.header.number) return
    const set = this.sync.setAt(commit.targetHash)
    const j = set && justificationFromCommit(commit, this.sync)
    if (!j) {
      // on our chain under another set: not for us; otherwise wait for its blocks
      if (!set || set.setId === commit.setId) this.pendingCommits.hold(peer, commit)
      return
    }
    if (set.setId !== commit.setId) {
      if (commit.setId > set.setId) void this.recoverFinality(true)
      return
    }
    // in a browser: once WebCrypto has checked its signatures, the commit is taken up again from the top
    const checked = this.preverify([j])
    if (checked) return void checked.then(() => this.stopped || this.onCommit(peer, commit))
    try {
      this.emit(this.sync.applyJustification(j))
    } catch (e) {
      this.net.ban(peer, `bad GRANDPA commit: ${(e as Error).message}`)
    }
  }

  protected override afterNewBlock(): void {
    if (this.pendingCommits.size === 0) return
    const ready = (c: GrandpaCommit) => justificationFromCommit(c, this.sync) !== undefined
    for (const [peer, commit] of this.pendingCommits.take(this.sync.finalized.header.number, ready)) this.onCommit(peer, commit)
  }

  private progressed(): void {
    this.lastProgress = { number: this.sync.finalized.header.number, at: this.now() }
  }

  /**
   * Every TICK_MS: retries a warp that found no answer before the client was ready; asks for the
   * justification of a set-change block finality is waiting on; warps again when peers' finalized blocks
   * run far ahead of ours and ours does not move.
   */
  private async onTick(): Promise<void> {
    if (this.stopped || this.warping) return
    const fin = this.sync.finalized.header.number
    if (fin !== this.lastProgress.number) this.progressed()
    const peers = this.net.announcingPeers()
    if (!this.isReady) {
      const ahead = peers.find((p) => (p.handshake?.bestNumber ?? 0) > fin)
      if (ahead) this.onPeer(ahead.peerId, ahead.handshake!.bestNumber, ahead.handshake!.bestHash)
      return
    }
    await this.recoverFinality()
    const leader = peers.map((p) => ({ peer: p.peerId, fin: this.net.finalizedOf(p.peerId) ?? 0 })).sort((a, b) => b.fin - a.fin)[0]
    const stalled = this.now() - this.lastProgress.at > 5 * TICK_MS
    if (leader && leader.fin >= fin + WARP_MIN_GAP && (stalled || this.farBehind(leader.fin))) await this.warp(leader.peer)
  }

  /**
   * Finality waits on a block enacting a set change (a commit for it was missed, and the next set's
   * commits cannot be checked before it is final): ask peers for that block's justification — Substrate
   * keeps one for every set-change block. Asked when a commit of the next set came (`stalled`), or when a
   * peer's neighbor packets say it finalized that block.
   */
  private async recoverFinality(stalled = false): Promise<void> {
    const best = this.sync.best
    const fin = this.sync.finalized.header.number
    const due = best.state.grandpa.pending.filter((p) => !p.forced && p.effectiveAt > fin && p.effectiveAt <= best.header.number).map((p) => p.effectiveAt)
    if (due.length === 0) return
    const block = this.sync.canonicalAt(Math.min(...due))
    if (!block) return
    if (!stalled && !this.net.announcingPeers().some((p) => (this.net.finalizedOf(p.peerId) ?? 0) >= block.header.number)) return
    const key = toHex(block.hash)
    const asked = this.justificationAsked.get(key)
    if (asked !== undefined && this.now() - asked < JUSTIFICATION_RETRY_MS) return
    this.justificationAsked.set(key, this.now())
    if (this.justificationAsked.size > 64) this.justificationAsked.delete(this.justificationAsked.keys().next().value!)
    for (const peer of this.net.peersFor(block.header.number)) {
      let blocks
      try {
        blocks = await this.net.host.requestBlocks(peer, { fields: BLOCK_JUSTIFICATION, from: { hash: block.hash }, direction: 'ascending', maxBlocks: 1, supportMultipleJustifications: true })
      } catch (e) {
        this.log(3, `justification of #${block.header.number} from ${peer}: ${(e as Error).message}`)
        continue
      }
      const d = blocks[0]
      let j: Uint8Array | undefined
      try {
        j = d && bytesEqual(d.hash, block.hash) ? grandpaJustificationOf(d) : undefined
      } catch (e) {
        if (e instanceof ProtocolError) this.net.ban(peer, e.message)
        continue
      }
      if (!j) continue
      this.log(3, `finality: the justification of set-change block #${block.header.number} from ${peer}`)
      const checked = this.preverify([j])
      if (checked) {
        await checked
        if (this.stopped) return
      }
      this.applyJustificationFrom(peer, j)
      if (this.sync.finalized.header.number >= block.header.number) return
    }
  }

  override stop(): void {
    super.stop()
    clearTimeout(this.readyTimer)
    clearInterval(this.tick)
  }
}
