// State-root calculation: builds the canonical trie over sorted keys in one recursive pass, grouping
// keys by their next nibble, encoding each node once and hashing references of 32 bytes or more.
// Optionally hands every hashed node (and V1 value node) to a sink, which is how in-memory tries that
// can serve proofs are built. Pure: no I/O.

import { compareBytes, concatBytes, utf8, Writer } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { encodeNode, V1_HASHED_VALUE_THRESHOLD, type NodeRef, type NodeValue } from './node-codec.ts'
import { nibbleAt } from './nibbles.ts'

export type StateVersion = 0 | 1
export type Entry = readonly [key: Uint8Array, value: Uint8Array]
/** Receives every node stored by hash (`hash` = blake2-256 of `encoding`), including V1 value nodes. */
export type NodeSink = (hash: Uint8Array, encoding: Uint8Array) => void

/** Root of the empty trie: blake2-256 of the single empty-node byte. */
export const EMPTY_TRIE_ROOT: Uint8Array = blake2_256(new Uint8Array([0]))
/** Prefix under which default child tries' roots live in the top trie. */
export const CHILD_STORAGE_DEFAULT_PREFIX: Uint8Array = utf8(':child_storage:default:')

function checkVersion(version: StateVersion): void {
  if (version !== 0 && version !== 1) throw new RangeError(`state version must be 0 or 1, got ${String(version)}`)
}

/** Sorts entries by key and removes duplicates (the last occurrence of a key wins). */
export function sortedEntries(entries: Iterable<Entry>): Entry[] {
  const arr = Array.from(entries)
  // stable sort keeps insertion order among equal keys; then keep the last of each run
  const idx = arr.map((_, i) => i)
  idx.sort((a, b) => compareBytes(arr[a][0], arr[b][0]) || a - b)
  const out: Entry[] = []
  for (let k = 0; k < idx.length; k++) {
    const e = arr[idx[k]]
    if (k + 1 < idx.length && compareBytes(e[0], arr[idx[k + 1]][0]) === 0) continue
    out.push(e)
  }
  return out
}

class Builder {
  constructor(
    private readonly keys: Uint8Array[],
    private readonly values: Uint8Array[],
    private readonly version: StateVersion,
    private readonly sink: NodeSink | undefined,
    private readonly hash: (b: Uint8Array) => Uint8Array,
  ) {}

  value(v: Uint8Array): NodeValue {
    if (this.version === 1 && v.length >= V1_HASHED_VALUE_THRESHOLD) {
      const hash = this.hash(v)
      this.sink?.(hash, v)
      return { kind: 'hash', hash }
    }
    return { kind: 'inline', value: v }
  }

  ref(encoding: Uint8Array): NodeRef {
    if (encoding.length < 32) return { kind: 'inline', node: encoding }
    const hash = this.hash(encoding)
    this.sink?.(hash, encoding)
    return { kind: 'hash', hash }
  }

  /** Encodes the node covering keys[lo..hi), all of which share nibbles [0, depth). */
  node(lo: number, hi: number, depth: number): Uint8Array {
    const keys = this.keys
    const first = keys[lo]
    const at = (i: number): number => nibbleAt(first, i)
    const firstLen = first.length * 2
    if (hi - lo === 1) return encodeNode(at, depth, firstLen, this.value(this.values[lo]), undefined)
    const last = keys[hi - 1]
    const lastLen = last.length * 2
    let p = depth
    while (p < firstLen && p < lastLen && nibbleAt(first, p) === nibbleAt(last, p)) p++
    let value: NodeValue | undefined
    let i = lo
    if (firstLen === p) {
      value = this.value(this.values[lo])
      i++
    }
    const children: (NodeRef | undefined)[] = new Array(16).fill(undefined)
    while (i < hi) {
      const n = nibbleAt(keys[i], p)
      let j = i + 1
      while (j < hi && nibbleAt(keys[j], p) === n) j++
      children[n] = this.ref(this.node(i, j, p + 1))
      i = j
    }
    return encodeNode(at, depth, p, value, children)
  }
}

/**
 * Encodes the root node of a trie over already sorted, duplicate-free entries (0x00 when empty).
 * `hasher` is blake2-256 for Substrate state; `ext_trie_keccak_*` builds the same layout with keccak.
 */
export function buildRootNode(sorted: readonly Entry[], version: StateVersion, sink?: NodeSink, hasher: (b: Uint8Array) => Uint8Array = blake2_256): Uint8Array {
  checkVersion(version)
  if (sorted.length === 0) return new Uint8Array([0])
  const b = new Builder(
    sorted.map((e) => e[0]),
    sorted.map((e) => e[1]),
    version,
    sink,
    hasher,
  )
  return b.node(0, sorted.length, 0)
}

/** Merkle root (blake2-256) of a key→value set; entries in any order, duplicate keys: the last wins. */
export function trieRoot(entries: Iterable<Entry>, version: StateVersion): Uint8Array {
  return blake2_256(buildRootNode(sortedEntries(entries), version))
}

/** Root of the trie keyed by SCALE compact(index) → value (extrinsics root, ordered roots). */
export function orderedTrieRoot(values: readonly Uint8Array[], version: StateVersion): Uint8Array {
  return trieRoot(
    values.map((v, i) => [new Writer(8).compact(i).finish(), v] as const),
    version,
  )
}

/**
 * State root including default child tries: each non-empty child trie's root is inserted under
 * `:child_storage:default:` ++ childKey in the top trie (replacing any such entry) before hashing.
 */
export function stateRoot(
  top: Iterable<Entry>,
  children: Iterable<readonly [childKey: Uint8Array, entries: Iterable<Entry>]>,
  version: StateVersion,
): Uint8Array {
  const all: Entry[] = Array.from(top)
  for (const [childKey, entries] of children) {
    const sorted = sortedEntries(entries)
    if (sorted.length === 0) continue
    all.push([concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey), blake2_256(buildRootNode(sorted, version))])
  }
  return trieRoot(all, version)
}
