// Queries over a trie whose nodes come from a `NodeSource` (a verified proof, or an in-memory trie):
// get, next key, closest-descendant merkle value, prefix scan. Each walk starts at the root hash and
// follows hashes, so a node is only ever trusted if it was reached from the root. A node the source
// lacks makes the answer 'unknown' — distinct from a proven absence.

import { blake2_256 } from '../crypto/index.ts'
import { decodeNode, type DecodedNode, type NodeRef } from './node-codec.ts'
import { nibbleAt, nibblesToBytes, toNibbles } from './nibbles.ts'

/** Where nodes come from. `get` returns the encoding of the node with that hash, or undefined. */
export interface NodeSource {
  get(hash: Uint8Array): Uint8Array | undefined
  /** Optional cache of decoded nodes by hash (proofs decode each node at most once). */
  decoded?(hash: Uint8Array): DecodedNode | 'empty' | undefined
  /** Optional cache keyed by the reference object itself (stable inside cached parents): skips re-hashing keys. */
  decodedRef?(ref: { kind: 'hash'; hash: Uint8Array }): DecodedNode | 'empty' | undefined
}

/** Per-key answer: the value, proven absent, or not covered by the available nodes. */
export type ProofLookup = { kind: 'value'; value: Uint8Array } | { kind: 'absent' } | { kind: 'unknown' }
export type NextKeyLookup = { kind: 'found'; key: Uint8Array } | { kind: 'none' } | { kind: 'unknown' }
export type MerkleValueLookup = { kind: 'found'; merkleValue: Uint8Array } | { kind: 'none' } | { kind: 'unknown' }
export interface PrefixScan {
  /** Keys under the prefix that the nodes prove, with their value (undefined when a V1 value node is missing). */
  entries: [key: Uint8Array, value: Uint8Array | undefined][]
  /** True when no node or value below the prefix was missing: `entries` is then the whole set. */
  complete: boolean
  /**
   * Keys whose read proofs would bring what was missing (the nibble path of each missing node, padded
   * to whole bytes, or the key of a missing value): ask for them and scan again with the added nodes.
   */
  missing: Uint8Array[]
  /** Entries before this index come before anything missing: they are final, with no unproven key between them. */
  provenBefore: number
}

const UNKNOWN = { kind: 'unknown' } as const
const ABSENT = { kind: 'absent' } as const
const NONE = { kind: 'none' } as const

// Inline children live inside their (cached) parent's decoded form, so their bytes are stable objects.
const inlineCache = new WeakMap<Uint8Array, DecodedNode | 'empty'>()

function resolve(src: NodeSource, ref: NodeRef): DecodedNode | 'empty' | undefined {
  if (ref.kind === 'inline') {
    let d = inlineCache.get(ref.node)
    if (d === undefined) {
      d = decodeNode(ref.node)
      inlineCache.set(ref.node, d)
    }
    return d
  }
  if (src.decodedRef) return src.decodedRef(ref)
  if (src.decoded) return src.decoded(ref.hash)
  const enc = src.get(ref.hash)
  return enc === undefined ? undefined : decodeNode(enc)
}

function valueOf(src: NodeSource, node: DecodedNode): Uint8Array | undefined {
  const v = node.value!
  return v.kind === 'inline' ? v.value : src.get(v.hash)
}

/** Where a walk from the root along `key` stops. */
type Descent =
  | typeof UNKNOWN // a node on the way is missing
  | { kind: 'diverged' } // no node has a key starting with `key`
  | { kind: 'reached'; node: DecodedNode; ref: NodeRef; exact: boolean } // `key` ends in this node's partial key (exact: at its end)

function descend(src: NodeSource, root: Uint8Array, key: Uint8Array): Descent {
  const keyLen = key.length * 2
  let ref: NodeRef = { kind: 'hash', hash: root }
  let depth = 0
  for (;;) {
    const node = resolve(src, ref)
    if (node === undefined) return UNKNOWN
    if (node === 'empty') return { kind: 'diverged' }
    const p = node.partial
    for (let i = 0; i < p.length; i++) {
      if (depth + i >= keyLen) return { kind: 'reached', node, ref, exact: false }
      if (nibbleAt(key, depth + i) !== p[i]) return { kind: 'diverged' }
    }
    depth += p.length
    if (depth === keyLen) return { kind: 'reached', node, ref, exact: true }
    const child = node.children?.[nibbleAt(key, depth)]
    if (child === undefined) return { kind: 'diverged' }
    ref = child
    depth++
  }
}

/** Value stored at `key`. */
export function lookupValue(src: NodeSource, root: Uint8Array, key: Uint8Array): ProofLookup {
  const d = descend(src, root, key)
  if (d.kind === 'unknown') return UNKNOWN
  if (d.kind === 'diverged' || !d.exact || d.node.value === undefined) return ABSENT
  const v = valueOf(src, d.node)
  return v === undefined ? UNKNOWN : { kind: 'value', value: v }
}

type Walk = { kind: 'found'; path: number[] } | typeof NONE | typeof UNKNOWN

/**
 * Smallest key strictly greater than `key` (or equal, with `orEqual`) that starts with `prefix`.
 * 'unknown' when a node that could hold a smaller candidate is missing.
 */
export function lookupNextKey(src: NodeSource, root: Uint8Array, key: Uint8Array, opts: { orEqual?: boolean; prefix?: Uint8Array } = {}): NextKeyLookup {
  let start = toNibbles(key)
  let orEqual = opts.orEqual ?? false
  const prefix = opts.prefix
  const pn = prefix === undefined ? new Uint8Array(0) : toNibbles(prefix)
  if (prefix !== undefined) {
    if (compareNibbles(start, pn) < 0) {
      start = pn
      orEqual = true
    }
  }
  const search = (ref: NodeRef, path: number[], bounded: boolean): Walk => {
    const node = resolve(src, ref)
    if (node === undefined) return UNKNOWN
    if (node === 'empty') return NONE
    const full = path.concat(Array.from(node.partial))
    // Subtrees that leave the prefix cannot hold an answer: prune them (their nodes need not be known).
    const m = Math.min(full.length, pn.length)
    for (let i = path.length; i < m; i++) if (full[i] !== pn[i]) return NONE
    if (bounded) {
      for (let i = path.length; i < full.length; i++) {
        if (i >= start.length || full[i] > start[i]) {
          bounded = false
          break
        }
        if (full[i] < start[i]) return NONE
      }
    }
    if (!bounded) {
      if (node.value !== undefined && (full.length & 1) === 0) return { kind: 'found', path: full }
      return searchChildren(node, full, 0, -1)
    }
    if (full.length === start.length) {
      if (orEqual && node.value !== undefined) return { kind: 'found', path: full }
      return searchChildren(node, full, 0, -1)
    }
    return searchChildren(node, full, start[full.length], start[full.length])
  }
  const searchChildren = (node: DecodedNode, full: number[], from: number, boundedAt: number): Walk => {
    if (node.children === undefined) return NONE
    for (let c = from; c < 16; c++) {
      const child = node.children[c]
      if (child === undefined) continue
      if (full.length < pn.length && c !== pn[full.length]) continue
      const r = search(child, full.concat([c]), c === boundedAt)
      if (r.kind !== 'none') return r
    }
    return NONE
  }
  const r = search({ kind: 'hash', hash: root }, [], true)
  if (r.kind !== 'found') return r
  const found = nibblesToBytes(r.path)!
  if (prefix !== undefined && !startsWithBytes(found, prefix)) return NONE
  return { kind: 'found', key: found }
}

/** Merkle value (hash, or inline encoding) of the closest node whose key starts with `key`. */
export function lookupClosestDescendantMerkleValue(src: NodeSource, root: Uint8Array, key: Uint8Array): MerkleValueLookup {
  const d = descend(src, root, key)
  if (d.kind === 'unknown') return UNKNOWN
  if (d.kind === 'diverged') return NONE
  return { kind: 'found', merkleValue: merkleValue(d.ref) }
}

function merkleValue(ref: NodeRef): Uint8Array {
  return ref.kind === 'hash' ? ref.hash : ref.node
}

/** What a prefix scan may be told besides the prefix. */
export interface PrefixScanOptions {
  /** Only keys strictly after this one (key order): subtrees wholly at or before it are not visited. */
  startAfter?: Uint8Array
  /** Collect at most this many missing keys (the walk goes on, so every node it holds is still reached). */
  maxMissing?: number
  /** Told the hash of every node and hashed value the scan reached (what a walk over proofs keeps). */
  reached?: (hash: Uint8Array) => void
}

/**
 * Every key (and value) under `prefix` that the nodes prove, in key order; `complete` says whether that
 * is all of them. Entries before the first missing node or value are final (`provenBefore`).
 */
export function lookupPrefix(src: NodeSource, root: Uint8Array, prefix: Uint8Array, opts: PrefixScanOptions = {}): PrefixScan {
  const out: PrefixScan = { entries: [], complete: true, missing: [], provenBefore: -1 }
  const pn = toNibbles(prefix)
  const sa = opts.startAfter && toNibbles(opts.startAfter)
  const maxMissing = opts.maxMissing ?? Infinity
  // shared nibble stack: pushed on the way down, truncated on the way up
  let path = new Uint8Array(256)
  let len = 0
  const push = (n: number): void => {
    if (len === path.length) {
      const bigger = new Uint8Array(path.length * 2)
      bigger.set(path)
      path = bigger
    }
    path[len++] = n
  }
  const miss = (key: Uint8Array): void => {
    out.complete = false
    if (out.provenBefore < 0) out.provenBefore = out.entries.length
    if (out.missing.length < maxMissing) out.missing.push(key)
  }
  /** `bounded`: the path so far equals `startAfter`'s first nibbles (keys here may still be at or before it). */
  const visit = (ref: NodeRef, bounded: boolean): void => {
    const node = resolve(src, ref)
    if (node === undefined) {
      // above the prefix, the prefix's own proof brings the node; below it, the path to the node does
      miss(len <= pn.length ? prefix : nibblesToBytes(len & 1 ? [...path.subarray(0, len), 0] : path.subarray(0, len))!)
      return
    }
    if (ref.kind === 'hash') opts.reached?.(ref.hash)
    if (node === 'empty') return
    const base = len
    for (let i = 0; i < node.partial.length; i++) {
      const at = base + i
      const n = node.partial[i]
      if (at < pn.length && n !== pn[at]) {
        len = base
        return
      }
      if (bounded) {
        // past the end of startAfter, or above it: every key below is after it
        if (at >= sa!.length || n > sa![at]) bounded = false
        else if (n < sa![at]) {
          len = base
          return
        }
      }
      push(n)
    }
    const here = len
    // a key that is a prefix of (or equal to) startAfter is not after it
    if (here >= pn.length && node.value !== undefined && (here & 1) === 0 && !bounded) {
      const v = valueOf(src, node)
      const key = nibblesToBytes(path.subarray(0, here))!
      if (v === undefined) miss(key)
      else if (node.value.kind === 'hash') opts.reached?.(node.value.hash)
      out.entries.push([key, v])
    }
    if (node.children !== undefined) {
      for (let c = 0; c < 16; c++) {
        const child = node.children[c]
        if (child === undefined) continue
        if (here < pn.length && c !== pn[here]) continue
        if (bounded && here < sa!.length && c < sa![here]) continue
        push(c)
        visit(child, bounded && here < sa!.length && c === sa![here])
        len = here
      }
    }
    len = base
  }
  visit({ kind: 'hash', hash: root }, sa !== undefined)
  if (out.provenBefore < 0) out.provenBefore = out.entries.length
  return out
}

function compareNibbles(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

function startsWithBytes(b: Uint8Array, p: Uint8Array): boolean {
  if (p.length > b.length) return false
  for (let i = 0; i < p.length; i++) if (b[i] !== p[i]) return false
  return true
}

export { blake2_256 }
