// The headers the light client verified, kept after they leave the fork tree (finalized blocks stay
// answerable while pinned or recent), each with the block whose `:code` is its runtime, and the hashes of
// finalized blocks by number. Bounded (oldest first out), except that a pinned block (a chainHead follow
// holds it) and the block its runtime comes from never leave. Owned by the sync service; the storage and
// runtime services read it through `BlockLookup`.

import { fromHex, toHex } from '../codec/index.ts'
import type { Header } from '../header/index.ts'

/** Verified blocks remembered after they leave the fork tree (headers only). */
export const MAX_KNOWN_BLOCKS = 4096

/** What the services below the sync service need to know of a block. */
export interface BlockLookup {
  /** The header of a verified block, else undefined. */
  header(hash: Uint8Array): Header | undefined
  /** The hash (hex) of the block whose `:code` is this block's runtime, else undefined. */
  runtimeFrom(hash: Uint8Array): string | undefined
}

export class KnownBlocks implements BlockLookup {
  private readonly known = new Map<string, { header: Header; runtimeFrom: string }>()
  private readonly finalizedByNumber = new Map<number, string>()
  /** Pins per block (hex): a pinned block and the block its runtime comes from are never evicted. */
  private readonly pins = new Map<string, number>()

  /** Remembers a verified block: its runtime is its parent's unless its header says the runtime changed. */
  add(hash: Uint8Array, header: Header): void {
    const key = toHex(hash)
    const upgraded = header.digest.some((d) => d.type === 'runtimeEnvironmentUpdated')
    this.set(key, header, upgraded ? key : (this.known.get(toHex(header.parentHash))?.runtimeFrom ?? key))
  }

  /** Remembers a block the view starts from (genesis, checkpoint, warp target): its runtime is its own state's. */
  addRoot(hash: Uint8Array, header: Header): void {
    const key = toHex(hash)
    this.set(key, header, key)
    this.addFinalized(hash)
  }

  private set(key: string, header: Header, runtimeFrom: string): void {
    this.known.set(key, { header, runtimeFrom })
    if (this.known.size <= MAX_KNOWN_BLOCKS) return
    // the oldest block nobody pins leaves; pinned ones met on the way go to the back of the line
    for (let tries = this.known.size; tries > 0; tries--) {
      const [oldest, entry] = this.known.entries().next().value!
      this.known.delete(oldest)
      if (!this.pins.has(oldest)) return
      this.known.set(oldest, entry)
    }
  }

  /** A follow holds the block: it (and the block its runtime comes from) stays until unpinned. */
  pin(hash: Uint8Array): void {
    const key = toHex(hash)
    const from = this.known.get(key)?.runtimeFrom
    for (const k of from && from !== key ? [key, from] : [key]) this.pins.set(k, (this.pins.get(k) ?? 0) + 1)
  }

  unpin(hash: Uint8Array): void {
    const key = toHex(hash)
    const from = this.known.get(key)?.runtimeFrom
    for (const k of from && from !== key ? [key, from] : [key]) {
      const n = this.pins.get(k) ?? 0
      if (n <= 1) this.pins.delete(k)
      else this.pins.set(k, n - 1)
    }
  }

  /** Blocks remembered now (pinned ones included). */
  get size(): number {
    return this.known.size
  }

  addFinalized(hash: Uint8Array): void {
    const header = this.header(hash)
    if (!header) return
    this.finalizedByNumber.set(header.number, toHex(hash))
    if (this.finalizedByNumber.size > MAX_KNOWN_BLOCKS) this.finalizedByNumber.delete(this.finalizedByNumber.keys().next().value!)
  }

  header(hash: Uint8Array): Header | undefined {
    return this.known.get(toHex(hash))?.header
  }

  runtimeFrom(hash: Uint8Array): string | undefined {
    return this.known.get(toHex(hash))?.runtimeFrom
  }

  /** The finalized block at `number`, when remembered. */
  finalizedAt(number: number): Uint8Array | undefined {
    const h = this.finalizedByNumber.get(number)
    return h === undefined ? undefined : fromHex(h)
  }
}
