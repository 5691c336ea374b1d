// An in-memory trie that can answer queries and produce proofs for them: built from entries (every
// hashed node kept by hash), or over a persistent trie a state already holds (nodes indexed as queries
// reach them). A proof is the set of nodes a query visits (recorded while it runs). Used to serve
// `light/2` read and call proofs and to generate proofs in tests.

import { blake2_256 } from '../crypto/index.ts'
import { buildRootNode, sortedEntries, type Entry, type StateVersion } from './build.ts'
import { NodeMap } from './proof.ts'
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
import { hashKey } from './nibbles.ts'
import { PersistentTrie } from './persistent-trie.ts'

/** Nodes by hash with their decoded forms cached: a NodeMap, or a persistent trie's node source. */
type IndexedNodes = Required<Pick<NodeSource, 'get' | 'decoded'>>

/** Records which stored nodes the queries run through it touch. */
export class ProofRecorder implements NodeSource {
  private readonly seen = new Map<string, Uint8Array>()
  constructor(private readonly inner: IndexedNodes) {}
  get(hash: Uint8Array): Uint8Array | undefined {
    const n = this.inner.get(hash)
    if (n !== undefined) this.seen.set(hashKey(hash), n)
    return n
  }
  decoded(hash: Uint8Array) {
    const d = this.inner.decoded(hash)
    if (d !== undefined) this.seen.set(hashKey(hash), this.inner.get(hash)!)
    return d
  }
  /** The recorded nodes, each once: a valid proof for every query run so far. */
  nodes(): Uint8Array[] {
    return Array.from(this.seen.values())
  }
}

export type ProofQuery =
  | { kind: 'value'; key: Uint8Array }
  | { kind: 'nextKey'; key: Uint8Array; orEqual?: boolean; prefix?: Uint8Array }
  | { kind: 'closestDescendant'; key: Uint8Array }
  | { kind: 'prefix'; prefix: Uint8Array }

export class MemoryTrie {
  readonly root: Uint8Array
  private readonly store: IndexedNodes

  /**
   * From entries, or over a persistent trie (the same nodes, so the same root and proofs, without
   * encoding and hashing the whole trie again: what it shares with an earlier state is already hashed).
   */
  constructor(entries: Iterable<Entry> | PersistentTrie, readonly version: StateVersion) {
    if (entries instanceof PersistentTrie) {
      const source = entries.nodeSource(version)
      this.store = source
      this.root = source.root
      return
    }
    const store = new NodeMap()
    const rootNode = buildRootNode(sortedEntries(entries), version, (h, n) => store.addHashed(h, n))
    this.root = blake2_256(rootNode)
    store.addHashed(this.root, rootNode)
    this.store = store
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const r = lookupValue(this.store, this.root, key)
    return r.kind === 'value' ? r.value : undefined
  }
  nextKey(key: Uint8Array, opts?: { orEqual?: boolean; prefix?: Uint8Array }): Uint8Array | undefined {
    const r = lookupNextKey(this.store, this.root, key, opts)
    return r.kind === 'found' ? r.key : undefined
  }
  closestDescendantMerkleValue(key: Uint8Array): MerkleValueLookup {
    return lookupClosestDescendantMerkleValue(this.store, this.root, key)
  }
  entriesWithPrefix(prefix: Uint8Array): PrefixScan {
    return lookupPrefix(this.store, this.root, prefix)
  }

  /** Starts recording: run queries on the returned recorder's view, then take `nodes()` as the proof. */
  recorder(): ProofRecorder {
    return new ProofRecorder(this.store)
  }

  /** Proof (list of nodes) covering all the given queries, including proofs of absence. */
  prove(queries: Iterable<ProofQuery>): Uint8Array[] {
    const rec = this.recorder()
    for (const q of queries) runQuery(rec, this.root, q)
    return rec.nodes()
  }
  /** Proof for reading the given keys. */
  proveKeys(keys: Iterable<Uint8Array>): Uint8Array[] {
    return this.prove(Array.from(keys, (key) => ({ kind: 'value', key }) as const))
  }
}

function runQuery(src: NodeSource, root: Uint8Array, q: ProofQuery): ProofLookup | NextKeyLookup | MerkleValueLookup | PrefixScan {
  switch (q.kind) {
    case 'value':
      return lookupValue(src, root, q.key)
    case 'nextKey':
      return lookupNextKey(src, root, q.key, q)
    case 'closestDescendant':
      return lookupClosestDescendantMerkleValue(src, root, q.key)
    case 'prefix':
      return lookupPrefix(src, root, q.prefix)
  }
}
