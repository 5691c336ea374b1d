// Storage proofs: SCALE `Vec<Vec<u8>>` of trie nodes. `TrieProof` indexes nodes by blake2-256 hash and
// answers queries by walking from the trusted root, so only nodes reachable by hash from the root are
// ever believed. Duplicate and unreachable nodes are tolerated (real call proofs contain both).

import { DecodeError, Reader, Writer } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { TrieError } from './errors.ts'
import { decodeNode, type DecodedNode } from './node-codec.ts'
import { hashKey } from './nibbles.ts'
import {
  lookupClosestDescendantMerkleValue,
  lookupNextKey,
  lookupPrefix,
  lookupValue,
  type MerkleValueLookup,
  type NextKeyLookup,
  type NodeSource,
  type PrefixScan,
  type ProofLookup,
} from './lookup.ts'

export interface ProofLimits {
  /** Maximum number of nodes (default 1,000,000). */
  maxNodes?: number
  /** Maximum total size in bytes (default 64 MiB). */
  maxBytes?: number
}

/** Decodes a SCALE-encoded proof into its nodes (subarrays of `bytes`, no copy). */
export function decodeProof(bytes: Uint8Array, limits: ProofLimits = {}): Uint8Array[] {
  const maxNodes = limits.maxNodes ?? 1_000_000
  const maxBytes = limits.maxBytes ?? 64 << 20
  if (bytes.length > maxBytes) throw new TrieError('ProofTooLarge', `proof of ${bytes.length} bytes exceeds ${maxBytes}`)
  const r = new Reader(bytes)
  const n = r.vecLength(1)
  if (n > maxNodes) throw new TrieError('ProofTooLarge', `proof of ${n} nodes exceeds ${maxNodes}`)
  const nodes: Uint8Array[] = new Array(n)
  for (let i = 0; i < n; i++) nodes[i] = r.vecU8()
  r.finish()
  return nodes
}

/** Encodes nodes as a SCALE `Vec<Vec<u8>>` proof. */
export function encodeProof(nodes: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(1024)
  w.compact(nodes.length)
  for (const n of nodes) w.vecU8(n)
  return w.finish()
}

/** A node source over a set of nodes indexed by hash, with a decoded-node cache. */
export class NodeMap implements NodeSource {
  private readonly byHash = new Map<string, Uint8Array>()
  private readonly cache = new Map<string, DecodedNode | 'empty'>()
  private refCache = new WeakMap<object, DecodedNode | 'empty'>()
  /** Adds nodes (hashing each); duplicates are ignored. */
  add(nodes: Iterable<Uint8Array>): void {
    for (const n of nodes) this.byHash.set(hashKey(blake2_256(n)), n)
  }
  /** Adds a node whose hash the caller already knows (trusted callers only: our own builder). */
  addHashed(hash: Uint8Array, node: Uint8Array): void {
    this.byHash.set(hashKey(hash), node)
  }
  has(hash: Uint8Array): boolean {
    return this.byHash.has(hashKey(hash))
  }
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.byHash.get(hashKey(hash))
  }
  decoded(hash: Uint8Array): DecodedNode | 'empty' | undefined {
    const k = hashKey(hash)
    let d = this.cache.get(k)
    if (d !== undefined) return d
    const enc = this.byHash.get(k)
    if (enc === undefined) return undefined
    d = decodeNode(enc)
    this.cache.set(k, d)
    return d
  }
  decodedRef(ref: { kind: 'hash'; hash: Uint8Array }): DecodedNode | 'empty' | undefined {
    let d = this.refCache.get(ref)
    if (d === undefined) {
      d = this.decoded(ref.hash)
      if (d !== undefined) this.refCache.set(ref, d)
    }
    return d
  }
  get size(): number {
    return this.byHash.size
  }
  /** Total bytes of the nodes held. */
  get bytes(): number {
    let n = 0
    for (const v of this.byHash.values()) n += v.length
    return n
  }
  nodes(): IterableIterator<Uint8Array> {
    return this.byHash.values()
  }
  /** Keeps only the nodes whose hash is in `keep` (keys as `hashKey` makes them); the rest is freed. */
  retain(keep: ReadonlySet<string>): void {
    for (const k of this.byHash.keys()) {
      if (keep.has(k)) continue
      this.byHash.delete(k)
      this.cache.delete(k)
    }
    // decoded children hang off their parents' references: start that cache afresh so nothing freed stays reachable
    this.refCache = new WeakMap()
  }
}

/**
 * A proof checked against a trusted state root. Lookups throw TrieError/DecodeError only when a node
 * reached from the root is malformed (a bad proof); a missing node is the answer 'unknown'.
 */
export class TrieProof {
  private constructor(
    readonly root: Uint8Array,
    private readonly src: NodeMap,
  ) {}

  /** Builds a proof view over `nodes` (from one or several proofs). Throws MissingRoot if the root node is absent. */
  static fromNodes(root: Uint8Array, nodes: Iterable<Uint8Array>): TrieProof {
    if (!(root instanceof Uint8Array) || root.length !== 32) throw new TypeError('root must be a 32-byte Uint8Array')
    const src = new NodeMap()
    src.add(nodes)
    return TrieProof.over(root, src)
  }

  /**
   * A view over `nodes` that may lack even the root node: every lookup they cannot answer is 'unknown'.
   * For call proofs: a Substrate call proof holds exactly the nodes the call read, so a call that read
   * nothing comes with an empty proof, which is not a bad one.
   */
  static partial(root: Uint8Array, nodes: Iterable<Uint8Array>): TrieProof {
    if (!(root instanceof Uint8Array) || root.length !== 32) throw new TypeError('root must be a 32-byte Uint8Array')
    const src = new NodeMap()
    src.add(nodes)
    return new TrieProof(root, src)
  }

  /** A view over nodes already collected (and hashed) in `src`. Throws MissingRoot if the root node is absent. */
  static over(root: Uint8Array, src: NodeMap): TrieProof {
    if (!src.has(root)) throw new TrieError('MissingRoot', 'the proof does not contain the root node')
    return new TrieProof(root, src)
  }

  /** Decodes a SCALE proof and builds the view. */
  static decode(root: Uint8Array, bytes: Uint8Array, limits?: ProofLimits): TrieProof {
    return TrieProof.fromNodes(root, decodeProof(bytes, limits))
  }

  get(key: Uint8Array): ProofLookup {
    return lookupValue(this.src, this.root, key)
  }
  nextKey(key: Uint8Array, opts?: { orEqual?: boolean; prefix?: Uint8Array }): NextKeyLookup {
    return lookupNextKey(this.src, this.root, key, opts)
  }
  closestDescendantMerkleValue(key: Uint8Array): MerkleValueLookup {
    return lookupClosestDescendantMerkleValue(this.src, this.root, key)
  }
  entriesWithPrefix(prefix: Uint8Array): PrefixScan {
    return lookupPrefix(this.src, this.root, prefix)
  }
  /** Number of distinct nodes held. */
  get nodeCount(): number {
    return this.src.size
  }
}

export { DecodeError }
