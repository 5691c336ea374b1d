// Trie benchmarks, side by side with @acala-network/chopsticks-executor (smoldot's trie compiled to
// WebAssembly): Westend genesis state root, and decode+verify of proof-decode-large (every proven entry
// enumerated, as the reference's decode_proof does).
import { readFileSync } from 'node:fs'
import * as ce from '@acala-network/chopsticks-executor'
import { fromHex, toHex } from '../src/codec/index.ts'
import { TrieProof, decodeProof, decodeNode, trieRoot } from '../src/trie/index.ts'
import { blake2_256 } from '../src/crypto/index.ts'
import { row, timeMedian, timeMedianAsync } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const spec = JSON.parse(readFileSync(`${FX}/chain-specs/westend-genesis.json`, 'utf8'))
const hexEntries = Object.entries(spec.genesis.raw.top as Record<string, string>)
const entries = hexEntries.map(([k, v]) => [fromHex(k), fromHex(v)] as const)
const bytes = hexEntries.reduce((n, [k, v]) => n + (k.length + v.length - 4) / 2, 0)
console.log(`Westend genesis: ${entries.length} entries, ${(bytes / 1e6).toFixed(2)} MB`)
for (const v of [0, 1] as const) {
  // both sides start from hex, as a chain spec gives it
  const ours = timeMedian(() => trieRoot(hexEntries.map(([k, x]) => [fromHex(k), fromHex(x)] as const), v), 9)
  const ref = await timeMedianAsync(() => ce.calculate_state_root(hexEntries, v), 9)
  row(`state root V${v} (from hex)`, ours, ref)
}
row('state root V0 (from bytes; reference from hex)', timeMedian(() => trieRoot(entries, 0), 9), await timeMedianAsync(() => ce.calculate_state_root(hexEntries, 0), 9))

const proofBytes = new Uint8Array(readFileSync(`${FX}/proofs/proof-decode-large.bin`))
const nodes = decodeProof(proofBytes)
// the root is the node no other node references
const referenced = new Set<string>()
for (const n of nodes) {
  const d = decodeNode(n)
  if (d !== 'empty' && d.children) for (const c of d.children) if (c?.kind === 'hash') referenced.add(toHex(c.hash))
}
const root = nodes.map(blake2_256).find((h) => !referenced.has(toHex(h)))!
const hexNodes = nodes.map(toHex)
const rootHex = toHex(root)
console.log(`proof-decode-large: ${proofBytes.length} bytes, ${nodes.length} nodes`)
row('proof decode + verify + all entries', timeMedian(() => TrieProof.decode(root, proofBytes).entriesWithPrefix(new Uint8Array()), 31, 20), await timeMedianAsync(() => ce.decode_proof(rootHex, hexNodes), 31, 20))
row('proof decode + verify + one lookup', timeMedian(() => TrieProof.decode(root, proofBytes).get(new Uint8Array(32)), 31, 20), await timeMedianAsync(() => ce.decode_proof(rootHex, hexNodes), 31, 20))
