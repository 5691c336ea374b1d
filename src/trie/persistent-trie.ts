// A persistent (immutable, structure-sharing) base-16 Patricia trie for state roots that follow a chain.
// Applying a block's changes copies only the nodes on the changed keys' paths; every other node is
// shared with the parent state and keeps its cached encoding reference, so a block's root costs hashing
// the changed paths, not the whole state (`trieRoot` in build.ts rebuilds every node). The layout and
// node encoding are Substrate's (node-codec.ts); `trieRoot` over the same entries is the reference the
// tests compare with. `nodeSource` serves the same nodes by hash to the lookups of lookup.ts, so a
// state's proofs come from the trie its root was computed with, indexed only as far as a query walks.
// Pure: no I/O.

import { blake2_256 } from '../crypto/index.ts'
import { decodeNode, encodeNode, V1_HASHED_VALUE_THRESHOLD, type DecodedNode, type NodeRef, type NodeValue } from './node-codec.ts'
import { hashKey, toNibbles } from './nibbles.ts'
import type { Entry, StateVersion } from './build.ts'
import type { NodeSource } from './lookup.ts'

/** A node: its partial key (nibbles), its value if any, its 16 children if it is a branch. Never mutated. */
interface TrieNode {
  readonly partial: Uint8Array
  readonly value: Uint8Array | undefined
  readonly children: readonly (TrieNode | undefined)[] | undefined
  /** Cached references to this node, per state version (valid forever: the node never changes). */
  ref0?: NodeRef
  ref1?: NodeRef
  /** Cached version-1 reference to the value (its hash when it is stored apart). */
  value1?: NodeValue
}

function node(partial: Uint8Array, value: Uint8Array | undefined, children: readonly (TrieNode | undefined)[] | undefined): TrieNode | undefined {
  if (children !== undefined) {
    let count = 0
    let only = -1
    for (let i = 0; i < 16; i++) {
      if (children[i] !== undefined) {
        count++
        only = i
      }
    }
    if (count === 0) children = undefined
    // a branch without a value and with one child is not canonical: it merges into that child
    else if (count === 1 && value === undefined) {
      const c = children[only]!
      const merged = new Uint8Array(partial.length + 1 + c.partial.length)
      merged.set(partial)
      merged[partial.length] = only
      merged.set(c.partial, partial.length + 1)
      return { partial: merged, value: c.value, children: c.children }
    }
  }
  if (children === undefined && value === undefined) return undefined
  return { partial, value, children }
}

function commonLength(a: Uint8Array, b: Uint8Array, bFrom: number): number {
  let i = 0
  while (i < a.length && bFrom + i < b.length && a[i] === b[bFrom + i]) i++
  return i
}

function withChild(children: readonly (TrieNode | undefined)[] | undefined, i: number, c: TrieNode | undefined): (TrieNode | undefined)[] {
  const out = children ? children.slice() : new Array<TrieNode | undefined>(16).fill(undefined)
  out[i] = c
  return out
}

function insert(n: TrieNode | undefined, key: Uint8Array, at: number, value: Uint8Array): TrieNode {
  if (n === undefined) return { partial: key.subarray(at), value, children: undefined }
  const common = commonLength(n.partial, key, at)
  if (common < n.partial.length) {
    // split: a branch over the common part, the old node below it
    const old: TrieNode = { partial: n.partial.subarray(common + 1), value: n.value, children: n.children, value1: n.value1 }
    let children = withChild(undefined, n.partial[common], old)
    let v: Uint8Array | undefined
    if (at + common === key.length) v = value
    else children = withChild(children, key[at + common], { partial: key.subarray(at + common + 1), value, children: undefined })
    return { partial: n.partial.subarray(0, common), value: v, children }
  }
  const next = at + common
  if (next === key.length) return { partial: n.partial, value, children: n.children }
  const i = key[next]
  return { partial: n.partial, value: n.value, children: withChild(n.children, i, insert(n.children?.[i], key, next + 1, value)), value1: n.value1 }
}

function remove(n: TrieNode | undefined, key: Uint8Array, at: number): TrieNode | undefined {
  if (n === undefined) return undefined
  const common = commonLength(n.partial, key, at)
  if (common < n.partial.length) return n
  const next = at + common
  if (next === key.length) return n.value === undefined ? n : node(n.partial, undefined, n.children)
  const i = key[next]
  const child = n.children?.[i]
  if (child === undefined) return n
  const c = remove(child, key, next + 1)
  return c === child ? n : node(n.partial, n.value, withChild(n.children, i, c))
}

function encodingOf(n: TrieNode, version: StateVersion): Uint8Array {
  return encodeNode((i) => n.partial[i], 0, n.partial.length, valueRef(n, version), n.children?.map((c) => c && reference(c, version)))
}

function valueRef(n: TrieNode, version: StateVersion): NodeValue | undefined {
  if (n.value === undefined) return undefined
  if (version === 0) return { kind: 'inline', value: n.value }
  return (n.value1 ??= valueOf(n.value, version))
}

function reference(n: TrieNode, version: StateVersion): NodeRef {
  const cached = version === 0 ? n.ref0 : n.ref1
  if (cached) return cached
  const encoding = encodingOf(n, version)
  const r: NodeRef = encoding.length < 32 ? { kind: 'inline', node: encoding } : { kind: 'hash', hash: blake2_256(encoding) }
  if (version === 0) n.ref0 = r
  else n.ref1 = r
  return r
}

function valueOf(v: Uint8Array, version: StateVersion): NodeValue {
  return version === 1 && v.length >= V1_HASHED_VALUE_THRESHOLD ? { kind: 'hash', hash: blake2_256(v) } : { kind: 'inline', value: v }
}

/** An immutable trie: `with` gives a new trie sharing every node off the changed paths. */
export class PersistentTrie {
  private constructor(private readonly root: TrieNode | undefined) {}

  static readonly empty: PersistentTrie = new PersistentTrie(undefined)

  static of(entries: Iterable<Entry>): PersistentTrie {
    return PersistentTrie.empty.with(entries)
  }

  /** This trie with `changes` applied in order (null deletes); this one is left as it was. */
  with(changes: Iterable<readonly [key: Uint8Array, value: Uint8Array | null]>): PersistentTrie {
    let r = this.root
    for (const [k, v] of changes) r = v === null ? remove(r, toNibbles(k), 0) : insert(r, toNibbles(k), 0, v)
    return r === this.root ? this : new PersistentTrie(r)
  }

  get isEmpty(): boolean {
    return this.root === undefined
  }

  /** The Merkle root (blake2-256 of the root node's encoding; of 0x00 when empty). */
  hash(version: StateVersion): Uint8Array {
    if (version !== 0 && version !== 1) throw new RangeError(`state version must be 0 or 1, got ${String(version)}`)
    if (this.root === undefined) return blake2_256(new Uint8Array([0]))
    const r = reference(this.root, version)
    return r.kind === 'hash' ? r.hash : blake2_256(r.node)
  }

  /**
   * This trie's nodes by hash (and, in version 1, its hashed values), for lookups and proofs: what a
   * MemoryTrie over the same entries holds, found by walking from the root instead of stored whole.
   */
  nodeSource(version: StateVersion): PersistentNodeSource {
    return new PersistentNodeSource(this.root, this.hash(version), version)
  }
}

/**
 * A NodeSource over a persistent trie. A node enters the index when its parent is first served (the
 * root from the start), so queries cost the nodes they visit; each node's encoding is made once.
 */
export class PersistentNodeSource implements NodeSource {
  /** A node not served yet, its encoding once served, or a version-1 value stored by hash. */
  private readonly index = new Map<string, TrieNode | Uint8Array>()
  private readonly decodedCache = new Map<string, DecodedNode | 'empty'>()

  constructor(
    rootNode: TrieNode | undefined,
    /** The trie's Merkle root: where lookups start. */
    readonly root: Uint8Array,
    private readonly version: StateVersion,
  ) {
    this.index.set(hashKey(root), rootNode === undefined ? new Uint8Array([0]) : encodingOf(rootNode, version))
    if (rootNode) this.indexBelow(rootNode)
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    const k = hashKey(hash)
    const e = this.index.get(k)
    if (e === undefined || e instanceof Uint8Array) return e
    const encoding = encodingOf(e, this.version)
    this.index.set(k, encoding)
    this.indexBelow(e)
    return encoding
  }

  decoded(hash: Uint8Array): DecodedNode | 'empty' | undefined {
    const k = hashKey(hash)
    let d = this.decodedCache.get(k)
    if (d !== undefined) return d
    const encoding = this.get(hash)
    if (encoding === undefined) return undefined
    d = decodeNode(encoding)
    this.decodedCache.set(k, d)
    return d
  }

  /** Indexes what a served node refers to by hash: its hashed children and its hashed value. */
  private indexBelow(n: TrieNode): void {
    const v = valueRef(n, this.version)
    if (v?.kind === 'hash') this.index.set(hashKey(v.hash), n.value!)
    if (n.children === undefined) return
    for (const c of n.children) {
      if (c === undefined) continue
      const r = reference(c, this.version)
      // an inline child sits inside this node's encoding: whatever it holds is inline too
      if (r.kind === 'hash' && !this.index.has(hashKey(r.hash))) this.index.set(hashKey(r.hash), c)
    }
  }
}
