// Public surface of the trie: Substrate's base-16 Patricia–Merkle trie (state versions 0 and 1):
// roots (with child tries), node codec, proof decode/verify/query, in-memory tries that build proofs.
export { trieRoot, orderedTrieRoot, stateRoot, sortedEntries, buildRootNode, EMPTY_TRIE_ROOT, CHILD_STORAGE_DEFAULT_PREFIX } from './build.ts'
export type { StateVersion, Entry, NodeSink } from './build.ts'
export { TrieError, type TrieErrorCode } from './errors.ts'
export { decodeNode, encodeNode, V1_HASHED_VALUE_THRESHOLD, type DecodedNode, type NodeRef, type NodeValue } from './node-codec.ts'
export { decodeProof, encodeProof, TrieProof, NodeMap, type ProofLimits } from './proof.ts'
export { MemoryTrie, ProofRecorder, type ProofQuery } from './memory-trie.ts'
export { PersistentTrie } from './persistent-trie.ts'
export { lookupValue, lookupNextKey, lookupClosestDescendantMerkleValue, lookupPrefix } from './lookup.ts'
export type { NodeSource, ProofLookup, NextKeyLookup, MerkleValueLookup, PrefixScan, PrefixScanOptions } from './lookup.ts'
export { toNibbles, nibblesToBytes } from './nibbles.ts'
export { DescendantsWalk, KEYS_PER_PROOF, type WalkStep } from './descendants-walk.ts'
