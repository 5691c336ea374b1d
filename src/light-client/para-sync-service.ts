// The sync service of a parachain (service): it has no finality of its own, so it follows its relay
// chain — the para heads `Paras::Heads(para_id)` read by proof at the relay's finalized and best blocks
// go to the pure `ParachainView` (src/sync/para-view.ts), which decides the parachain's finalized and best
// blocks; headers between a vouched head and the view come from the parachain's peers, each linked by
// hash. No warp, no GRANDPA. smoldot's equivalent is `sync_service/parachain.rs`.

import { Reader, Writer, bytesEqual, toHex } from '../codec/index.ts'
import { storageKey } from '../crypto/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { BLOCK_HEADER } from '../network/index.ts'
import type { BlockRef } from '../json-rpc/index.ts'
import { ParachainView, type LightSyncEvent, type ParaViewStep } from '../sync/index.ts'
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
  /** Which blocks are best and finalized: what the relay chain's best and finalized blocks vouch for. */
  private readonly view: ParachainView
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
    this.view = new ParachainView(this.sync)
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

  /** The relay's finalized and best para heads, given to the pure `ParachainView`; ready after the first. */
  private async readParaHeads(): Promise<void> {
    await this.relay.ready
    if (this.stopped) return
    const finalized = await this.paraHeadAt(this.relay.finalized().hash)
    const best = await this.paraHeadAt(this.relay.best().hash)
    if (this.stopped || !finalized) return
    await this.apply(this.view.relay(finalized, best))
    this.markReady()
  }

  /** Reports a step's events; fetches the ancestry of heads it could not link (or restarts at a finalized one). */
  private async apply(step: ParaViewStep): Promise<void> {
    this.report(step.events)
    for (const { head, finalized } of step.unlinked) {
      if (this.stopped) return
      const chain = await this.ancestry(head)
      const next = chain && this.view.linked(head, chain)
      if (next) return this.apply(next)
      if (!finalized) continue
      const hash = headerHash(head)
      this.restartView(head, hash, () => this.sync.restartAt(head))
      this.log(3, `parachain: restarting at the relay's finalized para head #${head.number} ${toHex(hash)}`)
      return this.apply(this.view.restarted())
    }
  }

  /** The view's events to listeners, new blocks remembered first. */
  private report(events: LightSyncEvent[]): void {
    for (const e of events) if (e.kind === 'newBlock') this.blocks.add(e.hash, e.header)
    this.emit(events)
  }

  /** `Paras::Heads(para_id)` at a relay block, proven by the relay chain: the parachain's header there (undefined: not registered). */
  private async paraHeadAt(relayHash: Uint8Array): Promise<Header | undefined> {
    const [value] = await this.relay.storage(relayHash, [storageKey('Paras', 'Heads', ['Twox64Concat', new Writer().u32(this.paraId).finish()])])
    if (!value) return undefined
    return decodeHeader(new Reader(value).vecU8())
  }

  /**
   * The parachain blocks below a vouched head down to one the view holds, from a peer (headers from the
   * head's parent down; the view checks they link); undefined when the gap is too large or no peer has them.
   */
  private async ancestry(head: Header): Promise<Header[] | undefined> {
    const gap = head.number - this.sync.finalized.header.number
    if (gap > this.maxGap) return undefined
    for (const peer of this.net.peersFor(head.number)) {
      let blocks
      try {
        blocks = await this.net.host.requestBlocks(peer, { fields: BLOCK_HEADER, from: { hash: head.parentHash }, direction: 'descending', maxBlocks: gap, supportMultipleJustifications: true })
      } catch (e) {
        this.log(3, `parachain ancestry from ${peer}: ${(e as Error).message}`)
        continue
      }
      const chain: Header[] = []
      let bad: string | undefined
      for (const d of blocks) {
        try {
          chain.push(decodeHeader(d.header ?? new Uint8Array()))
        } catch (e) {
          bad = `undecodable header: ${(e as Error).message}`
          break
        }
      }
      // each header must be the parent the one above it names (what `linked` checks): else the peer lied
      if (!bad && !this.linksUp(head, chain)) bad = 'headers that are not the parents named above them'
      if (bad) {
        this.net.ban(peer, `parachain ancestry: ${bad}`)
        continue
      }
      return chain
    }
    return undefined
  }

  /** Whether `chain` (from `head`'s parent down) is a run of parents, each named by the one above. */
  private linksUp(head: Header, chain: Header[]): boolean {
    let expected = head.parentHash
    for (const h of chain) {
      if (this.sync.block(expected)) return true
      if (!bytesEqual(headerHash(h), expected)) return false
      expected = h.parentHash
    }
    return true
  }

  override stop(): void {
    super.stop()
    this.stopFollowingRelay?.()
  }
}
