// A persistent sorted map of byte-string keys, the storage of one trie in a MemoryStorage. A chain keeps
// hundreds of states alive at once (every unfinalized block's, and a window of finalized ones), each
// differing from its parent by a few dozen keys; a full copy per state made memory and import time grow
// with the chain. Here a state is a stack of immutable layers, shared with the states it was derived
// from: the bottom layer holds the whole map, each layer above holds changes (null: deleted). New
// changes push a layer; layers are merged as in a binary counter (a layer is merged into the one below
// once that one aggregates no more change sets than it does), so a map has O(log n) layers and each
// change is copied O(log n) times; once the layers above the bottom hold half as many keys as it, all
// are merged into a new bottom. Nothing here mutates a layer after it is built. (No npm package offers a
// persistent sorted map with cheap next-key over shared versions; immutable.js's maps are unordered.)
//
// Keys are binary strings (one char per byte): JavaScript compares them in byte order, and Maps hash
// them natively.

import { bytesEqual } from '../codec/index.ts'

interface Layer {
  /** Keys in order. */
  readonly keys: readonly string[]
  /** Value per key; null marks a deletion (never in the bottom layer). */
  readonly map: ReadonlyMap<string, Uint8Array | null>
  /** Change sets merged into this layer (the bottom layer: Infinity, it is never merged upwards). */
  readonly weight: number
}

/** Index of the first key strictly greater than `key` in `keys`. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] <= key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** `upper` over `lower` as one layer (`upper` wins); deletions are dropped when the result is the bottom. */
function merge(lower: Layer, upper: Layer, bottom: boolean): Layer {
  const keys: string[] = []
  const map = new Map<string, Uint8Array | null>()
  const a = lower.keys
  const b = upper.keys
  let i = 0
  let j = 0
  const put = (k: string, v: Uint8Array | null) => {
    if (v === null && bottom) return
    keys.push(k)
    map.set(k, v)
  }
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      put(a[i], lower.map.get(a[i])!)
      i++
    } else {
      if (i < a.length && a[i] === b[j]) i++
      put(b[j], upper.map.get(b[j])!)
      j++
    }
  }
  return { keys, map, weight: bottom ? Infinity : lower.weight + upper.weight }
}

/** The layers as one bottom layer (each merge's lower side is already whole: no deletions below it). */
function flatten(layers: readonly Layer[]): Layer {
  return layers.reduce((acc, l) => merge(acc, l, true))
}

export class LayeredMap {
  static readonly empty = new LayeredMap([{ keys: [], map: new Map(), weight: Infinity }], 0)

  private constructor(
    /** Oldest (the bottom, the whole map) first. */
    private readonly layers: readonly Layer[],
    /** Keys with a value. */
    readonly size: number,
  ) {}

  /** A map of `entries` (any order; the last of a repeated key wins). */
  static of(entries: Iterable<readonly [string, Uint8Array]>): LayeredMap {
    const map = new Map<string, Uint8Array>()
    for (const [k, v] of entries) map.set(k, v)
    const keys = [...map.keys()].sort()
    return new LayeredMap([{ keys, map, weight: Infinity }], keys.length)
  }

  get(key: string): Uint8Array | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const v = this.layers[i].map.get(key)
      if (v !== undefined) return v ?? undefined
    }
    return undefined
  }

  /** The smallest key with a value strictly greater than `key`. */
  nextKey(key: string): string | undefined {
    let cursor = key
    for (;;) {
      let best: string | undefined
      for (const l of this.layers) {
        const k = l.keys[upperBound(l.keys, cursor)]
        if (k !== undefined && (best === undefined || k < best)) best = k
      }
      if (best === undefined || this.get(best) !== undefined) return best
      cursor = best
    }
  }

  /** Every key with its value, in key order. */
  *entries(): Generator<[string, Uint8Array]> {
    const whole = flatten(this.layers)
    for (const k of whole.keys) yield [k, whole.map.get(k)!]
  }

  /**
   * This map with `changes` applied (null deletes; later entries win), as a new map sharing this one's
   * layers; this map is left as it was.
   */
  with(changes: Iterable<readonly [string, Uint8Array | null]>): LayeredMap {
    const map = new Map<string, Uint8Array | null>()
    for (const [k, v] of changes) map.set(k, v)
    if (map.size === 0) return this
    let size = this.size
    for (const [k, v] of map) size += (v !== null ? 1 : 0) - (this.get(k) !== undefined ? 1 : 0)
    const layers = [...this.layers, { keys: [...map.keys()].sort(), map, weight: 1 }]
    while (layers.length > 2 && layers[layers.length - 2].weight <= layers[layers.length - 1].weight) {
      const upper = layers.pop()!
      layers.push(merge(layers.pop()!, upper, false))
    }
    let above = 0
    for (let i = 1; i < layers.length; i++) above += layers[i].keys.length
    if (above * 2 > layers[0].keys.length + 64) return new LayeredMap([flatten(layers)], size)
    return new LayeredMap(layers, size)
  }

  /**
   * The keys whose values differ between `base` and this map, in key order, with their value here
   * (null: absent here). Only the layers the two do not share are read: a state against its parent
   * costs about the changes between them, not the size of the state.
   */
  diffFrom(base: LayeredMap): [string, Uint8Array | null][] {
    const shared = new Set<Layer>(base.layers.filter((l) => this.layers.includes(l)))
    const keys = new Set<string>()
    for (const l of [...base.layers, ...this.layers]) if (!shared.has(l)) for (const k of l.keys) keys.add(k)
    const out: [string, Uint8Array | null][] = []
    for (const k of [...keys].sort()) {
      const before = base.get(k)
      const after = this.get(k)
      if (before === after || (before !== undefined && after !== undefined && bytesEqual(before, after))) continue
      out.push([k, after ?? null])
    }
    return out
  }

  /** Layers in the stack (tests, diagnostics). */
  get depth(): number {
    return this.layers.length
  }
}
