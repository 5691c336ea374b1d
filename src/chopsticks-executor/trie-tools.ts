// The executor package's trie functions, over our trie code: `calculate_state_root` (a root over
// entries), `decode_proof` (the values a proof holds for one root, in key order) and `create_proof`
// (Chopsticks' way to edit a relay-chain state proof for a parachain's inherent: a new trie of the
// proof's inline values with updates applied, and all its nodes). Same inputs, same outputs as the
// original; pure.

import { blake2_256 } from '../crypto/index.ts'
import { fromHex, toHex } from '../codec/index.ts'
import { TrieProof, buildRootNode, decodeNode, sortedEntries, trieRoot, type DecodedNode, type Entry, type NodeValue } from '../trie/index.ts'
import { hashKey, nibblesToBytes } from '../trie/nibbles.ts'
import type { HexString } from './types.ts'

function hexList(v: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(v)) throw new TypeError(`${what} must be an array of hex strings`)
  return v.map((x) => fromHex(String(x)))
}

/** Root of a trie over `[key, value]` hex pairs (a key given twice: the last value wins). */
export function stateRootOf(entries: unknown, trieVersion: unknown): HexString {
  if (trieVersion !== 0 && trieVersion !== 1) throw new Error('invalid trie version')
  if (!Array.isArray(entries)) throw new TypeError('entries must be an array of [keyHex, valueHex]')
  const list: Entry[] = entries.map((e) => {
    if (!Array.isArray(e) || e.length !== 2) throw new TypeError('entries must be an array of [keyHex, valueHex]')
    return [fromHex(String(e[0])), fromHex(String(e[1]))] as const
  })
  return toHex(trieRoot(list, trieVersion)) as HexString
}

type Visit = (key: number[], value: NodeValue) => void

/** Walks a node and its descendants present in `byHash`, calling `visit` for each value. */
function walk(node: DecodedNode, prefix: number[], byHash: Map<string, Uint8Array>, visit: Visit): void {
  const key = [...prefix, ...node.partial]
  if (node.value) visit(key, node.value)
  if (!node.children) return
  node.children.forEach((ref, nibble) => {
    if (!ref) return
    let child: Uint8Array | undefined
    if (ref.kind === 'inline') child = ref.node
    else child = byHash.get(hashKey(ref.hash))
    if (!child) return
    const d = decodeNode(child)
    if (d !== 'empty') walk(d, [...key, nibble], byHash, visit)
  })
}

function indexNodes(nodes: Uint8Array[]): Map<string, Uint8Array> {
  const byHash = new Map<string, Uint8Array>()
  for (const n of nodes) byHash.set(hashKey(blake2_256(n)), n)
  return byHash
}

/** The values of the trie of root `root` that `nodes` hold (inline, or hashed with their value node present), in key order. */
export function decodeProofEntries(root: unknown, nodes: unknown): [HexString, HexString][] {
  const rootHash = fromHex(String(root))
  if (rootHash.length !== 32) throw new Error('trie root hash must be 32 bytes')
  const scan = TrieProof.partial(rootHash, hexList(nodes, 'nodes')).entriesWithPrefix(new Uint8Array())
  return scan.entries.flatMap(([k, v]) => (v === undefined ? [] : [[toHex(k) as HexString, toHex(v) as HexString] as [HexString, HexString]]))
}

/**
 * A new trie holding the inline values found in `nodes` (every trie they hold) with `updates` applied
 * (a value sets, null or undefined deletes), encoded with values inline: its root and its nodes (those
 * of 32 bytes or more, and the root).
 */
export function createProofOf(nodes: unknown, updates: unknown): [HexString, HexString[]] {
  const list = hexList(nodes, 'nodes')
  if (!Array.isArray(updates)) throw new TypeError('updates must be an array of [keyHex, valueHex | null]')
  const byHash = indexNodes(list)
  const entries = new Map<string, Uint8Array>()
  const deletes: string[] = []
  for (const u of updates) {
    if (!Array.isArray(u) || u.length < 1) throw new TypeError('updates must be an array of [keyHex, valueHex | null]')
    const key = toHex(fromHex(String(u[0])))
    if (u[1] === null || u[1] === undefined) deletes.push(key)
    else entries.set(key, fromHex(String(u[1])))
  }
  // every node no other node references by hash is the root of a trie in the proof
  const referenced = new Set<string>()
  const decoded = new Map<string, DecodedNode>()
  for (const [h, n] of byHash) {
    const d = decodeNode(n)
    if (d === 'empty') continue
    decoded.set(h, d)
    for (const ref of d.children ?? []) if (ref?.kind === 'hash') referenced.add(hashKey(ref.hash))
  }
  for (const [h, d] of decoded) {
    if (referenced.has(h)) continue
    walk(d, [], byHash, (key, value) => {
      const k = nibblesToBytes(key)
      if (!k || value.kind !== 'inline') return
      const ks = toHex(k)
      if (!entries.has(ks) && !deletes.includes(ks)) entries.set(ks, value.value)
    })
  }
  for (const d of deletes) entries.delete(d)
  const sorted = sortedEntries([...entries].map(([k, v]) => [fromHex(k), v] as const))
  const out = new Map<string, Uint8Array>()
  const rootNode = buildRootNode(sorted, 0, (hash, encoding) => out.set(toHex(hash), encoding))
  const root = blake2_256(rootNode)
  out.set(toHex(root), rootNode)
  return [toHex(root) as HexString, [...out.values()].map((n) => toHex(n) as HexString)]
}

