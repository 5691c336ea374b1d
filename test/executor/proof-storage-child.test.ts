// A proof that reaches a child trie's root key in the main trie but lacks the child trie's own nodes
// must make a child read a MissingStorageError naming the key and the child trie — the light client's
// fetch-and-retry loop recovers from that — not a TrieError.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { concatBytes, toHex, utf8 } from '../../src/codec/index.ts'
import { MemoryStorage, MissingStorageError, ProofStorage } from '../../src/executor/index.ts'
import { StateProver } from '../../src/network/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, decodeProof } from '../../src/trie/index.ts'

test('a child root missing from the proof is a MissingStorageError for that child key', () => {
  const childKey = utf8('my-child')
  const storage = new MemoryStorage([[utf8('top'), utf8('value')]], [[childKey, [[utf8('k'), utf8('a child value')]]]])
  const prover = new StateProver(storage, 1)
  // only the main-trie path to the child root, not the child trie
  const topOnly = decodeProof(prover.readProof([concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey)]))
  const view = new ProofStorage(prover.root, topOnly)
  for (const read of [() => view.childGet(childKey, utf8('k')), () => view.childNextKey(childKey, utf8('k'))]) {
    assert.throws(read, (e: unknown) => e instanceof MissingStorageError && toHex(e.childKey!) === toHex(childKey) && toHex(e.key) === toHex(utf8('k')))
  }
  // with the child trie's nodes the same read answers
  const full = new ProofStorage(prover.root, decodeProof(prover.readChildProof(childKey, [utf8('k')])))
  assert.equal(toHex(full.childGet(childKey, utf8('k'))!), toHex(utf8('a child value')))
})
