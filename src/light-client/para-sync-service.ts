// The sync service of a parachain (service): it has no finality of its own, so it follows its relay
// chain — its finalized and best blocks are the para heads `Paras::Heads(para_id)` read by proof at the
// relay's finalized and best blocks; headers between them come from the parachain's peers, each linked by
// hash to a vouched head. No warp, no GRANDPA. smoldot's equivalent is `sync_service/parachain.rs`.

import { Reader, Writer, bytesEqual, toHex } from '../codec/index.ts'
import { storageKey } from '../crypto/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { BLOCK_HEADER } from '../network/index.ts'
import type { BlockRef } from '../json-rpc/index.ts'
import type { LightSyncEvent } from '../sync/index.ts'
import { SyncService } from './sync-service.ts'
import type { StartPoint } from './start-point.ts'

/** What a parachain needs of its relay chain's light client. */
export interface RelayView {
  readonly ready: Promise<void>
  readonly specId: string
  finalized(): BlockRef
  best(): BlockRef
  storage(hash: Uint8Array, keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  onEvent(fn: (e: LightSyncEvent) => void): () => void
}

export class ParachainSync extends SyncService {
  private stopFollowingRelay: (() => void) | undefined
  private relayBusy = false
  private relayAgain = false

  constructor(
    start: StartPoint,
    private readonly relay: RelayView,
    private readonly paraId: number,
    /** Blocks between a vouched head and what we hold that are fetched from peers (more: restart there). */
    private readonly maxGap: number,
    log: (level: number, message: string) => void,
  ) {
    super(start, log)
  }

  start(): void {
    this.stopFollowingRelay = this.relay.onEvent(() => this.followRelay())
    this.followRelay()
  }

  // a parachain's peers serve proofs and ancestry; what its blocks are, the relay chain says
  onPeer(): void {}
  onAnnounce(): void {}
  onGrandpa(): void {}

  /** Reads the para heads again after any relay event (one read at a time, the last event wins). */
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
        this.log(3, `para head from the relay chain: ${(e as Error).message}`)
      } finally {
        this.relayBusy = false
      }
    })()
  }

  /** The relay's finalized and best para heads, vouched into the view (finalized first); ready after the first. */
  private async readParaHeads(): Promise<void> {
    await this.relay.ready
    if (this.stopped) return
    const finalized = await this.paraHeadAt(this.relay.finalized().hash)
    const best = await this.paraHeadAt(this.relay.best().hash)
    if (this.stopped || !finalized) return
    await this.vouch(finalized, true)
    if (best) await this.vouch(best, false)
    this.markReady()
  }

  /** `Paras::Heads(para_id)` at a relay block, proven by the relay chain: the parachain's header there (undefined: not registered). */
  private async paraHeadAt(relayHash: Uint8Array): Promise<Header | undefined> {
    const [value] = await this.relay.storage(relayHash, [storageKey('Paras', 'Heads', ['Twox64Concat', new Writer().u32(this.paraId).finish()])])
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
        this.restartView(header, hash, () => this.sync.restartAt(header))
        this.log(3, `parachain: restarting at the relay's finalized para head #${header.number} ${toHex(hash)}`)
        return
      }
    }
    if (finalized) this.emit(this.sync.finalizeVouched(hash))
  }

  /** The parachain blocks below a vouched head down to one we hold, from a peer; false when no peer links them. */
  private async vouchAncestry(header: Header, hash: Uint8Array): Promise<boolean> {
    const gap = header.number - this.sync.finalized.header.number
    if (gap > this.maxGap) return false
    for (const peer of this.net.peersFor(header.number)) {
      let blocks
      try {
        blocks = await this.net.host.requestBlocks(peer, { fields: BLOCK_HEADER, from: { hash: header.parentHash }, direction: 'descending', maxBlocks: gap, supportMultipleJustifications: true })
      } catch (e) {
        this.log(3, `parachain ancestry from ${peer}: ${(e as Error).message}`)
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
        this.net.ban(peer, `parachain ancestry: ${bad}`)
        continue
      }
      if (!this.sync.block(expected)) continue
      await this.insertAll(peer, [...chain.reverse(), header].map((h) => ({ header: h })))
      return true
    }
    return false
  }

  override stop(): void {
    super.stop()
    this.stopFollowingRelay?.()
  }
}
