// The light client's sync service for one chain (service: timers; requests through the network
// service): drives the pure `LightSync` machine and reports what it verifies to listeners. The shared part
// (`SyncService`): the view, the known-block store, events, readiness, header insertion in slices that
// yield to the event loop. `StandaloneSync` (a relay or solo chain with GRANDPA) adds the warp in two phases
// (`warp-driver.ts`), ancestry over sync/2, justifications and commits, and finality that recovers;
// `ParachainSync` (`para-sync-service.ts`) follows a relay chain instead.
// smoldot's equivalent is `light-base/src/sync_service.rs`.

import { toHex } from '../codec/index.ts'
import type { Header } from '../header/index.ts'
import type { GrandpaGossip } from '../network/index.ts'
import { LightSync, type LightSyncEvent } from '../sync/index.ts'
import type { NetworkEvents, NetworkService } from './network-service.ts'
import { KnownBlocks, type BlockLookup } from './known-blocks.ts'
import type { RuntimeService } from './runtime-service.ts'
import type { StartPoint } from './start-point.ts'

/** Listeners get the machine's events as blocks are verified and finalized. */
export type ChainListener = (e: LightSyncEvent) => void

/** Verification work done in one go before the event loop gets a turn (ms). */
export const SLICE_MS = 8

/** Lets timers, sockets and JSON-RPC requests run (a macrotask turn of the event loop). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0))
}

export interface SyncServiceDeps {
  net: NetworkService
  runtimes: RuntimeService
  log: (level: number, message: string) => void
  now: () => number
}

export abstract class SyncService implements NetworkEvents, BlockLookup {
  readonly sync: LightSync
  readonly blocks = new KnownBlocks()
  private readonly listeners = new Set<ChainListener>()
  private readyResolve!: () => void
  /** Resolves once the client knows its starting finalized block and its runtime (after a warp, or genesis). */
  readonly ready: Promise<void> = new Promise((r) => (this.readyResolve = r))
  private ready_ = false
  protected stopped = false
  protected net!: NetworkService
  protected runtimes!: RuntimeService
  protected log: (level: number, message: string) => void
  protected now: () => number = Date.now

  constructor(start: StartPoint, log: (level: number, message: string) => void) {
    this.log = log
    this.sync = new LightSync(start.finalized, start.grandpa, start.consensus)
    this.blocks.addRoot(this.sync.finalized.hash, start.finalized)
  }

  /** Connects the service to the network and runtime services once they exist (they need its lookups first). */
  attach(deps: SyncServiceDeps): void {
    this.net = deps.net
    this.runtimes = deps.runtimes
    this.log = deps.log
    this.now = deps.now
  }

  /** True once the starting finalized block and its runtime are known (warp done, or no peer came). */
  get isReady(): boolean {
    return this.ready_
  }
  protected markReady(): void {
    if (this.ready_) return
    this.ready_ = true
    this.readyResolve()
  }

  /** The header of a known block (in the fork tree, or recently finalized), else undefined. */
  header(hash: Uint8Array): Header | undefined {
    return this.sync.block(hash)?.header ?? this.blocks.header(hash)
  }
  runtimeFrom(hash: Uint8Array): string | undefined {
    return this.blocks.runtimeFrom(hash)
  }

  onEvent(fn: ChainListener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  protected emit(events: LightSyncEvent[]): void {
    for (const e of events) {
      if (e.kind === 'finalized') {
        for (const h of e.hashes) this.blocks.addFinalized(h)
        this.onFinalized()
      }
      for (const fn of this.listeners) fn(e)
    }
  }

  /** Called after each finality event (the standalone chain tells peers its new GRANDPA state). */
  protected onFinalized(): void {}

  /** Inserts a verified header's outcome: a bad header bans its sender. False when it did not enter the view. */
  protected afterInsert(peer: string, header: Header, r: ReturnType<LightSync['insertHeader']>): boolean {
    if (r.kind === 'invalid') {
      this.net.ban(peer, r.reason)
      return false
    }
    if (r.kind === 'inserted') {
      const hash = r.events[0].kind === 'newBlock' ? r.events[0].hash : undefined
      if (hash) this.blocks.add(hash, header)
      if (header.digest.some((d) => d.type === 'runtimeEnvironmentUpdated')) this.log(3, `runtime upgraded at #${header.number}`)
      this.emit(r.events)
      this.afterNewBlock()
    }
    return r.kind !== 'unknownParent'
  }

  /** Called after each inserted block (the standalone chain retries commits that waited for blocks). */
  protected afterNewBlock(): void {}

  protected insert(peer: string, header: Header): boolean {
    return this.afterInsert(peer, header, this.sync.insertHeader(header, this.now()))
  }

  /**
   * Inserts headers oldest first, verifying for at most SLICE_MS at a time before the event loop gets a
   * turn (128 BABE headers take seconds to verify on a slow machine). Stops at the first one refused.
   */
  protected async insertAll(peer: string, headers: { header: Header; after?: () => void }[]): Promise<boolean> {
    let sliceStart = performance.now()
    for (const h of headers) {
      if (this.stopped) return false
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop()
        sliceStart = performance.now()
      }
      if (!this.insert(peer, h.header)) return false
      h.after?.()
    }
    return true
  }

  /** Restarts the view at a trusted block (warp target, genesis), seeding its runtime; listeners get `reset` once following. */
  protected restartView(finalized: Header, hash: Uint8Array, apply: () => void): void {
    apply()
    this.blocks.addRoot(hash, finalized)
    this.onFinalized()
    this.log(3, `view restarted at #${finalized.number} ${toHex(hash)}`)
    if (this.isReady) this.emit([{ kind: 'reset' }])
  }

  abstract start(): void
  abstract onPeer(peer: string, bestNumber: number, bestHash: Uint8Array): void
  abstract onAnnounce(peer: string, header: Header): void
  abstract onGrandpa(peer: string, message: GrandpaGossip): void

  stop(): void {
    this.stopped = true
    this.listeners.clear()
  }
}
