// A deliberately naive reference implementation of Substrate's trie root, for property tests only.
// Written independently of src/trie: nibble arrays, a recursive map-based build, straightforward
// encoding. Slow and simple on purpose.
import { blake2b } from '@noble/hashes/blake2.js'

const h = (b: Uint8Array): Uint8Array => blake2b(b, { dkLen: 32 })

function compactLen(n: number): number[] {
  if (n < 64) return [n << 2]
  if (n < 1 << 14) return [((n << 2) | 1) & 255, (n << 2) >> 8]
  const v = (n << 2) | 2
  return [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255]
}

function header(kind: 'leaf' | 'branch' | 'branchValue' | 'leafHash' | 'branchHash', len: number): number[] {
  const spec = { leaf: [0x40, 6], branch: [0x80, 6], branchValue: [0xc0, 6], leafHash: [0x20, 5], branchHash: [0x10, 4] }[kind]
  const max = (1 << spec[1]) - 1
  if (len < max) return [spec[0] + len]
  const out = [spec[0] + max]
  let rest = len - max
  while (rest >= 255) {
    out.push(255)
    rest -= 255
  }
  out.push(rest)
  return out
}

function packNibbles(n: number[]): number[] {
  const out: number[] = []
  let i = 0
  if (n.length % 2 === 1) out.push(n[i++])
  for (; i < n.length; i += 2) out.push(n[i] * 16 + n[i + 1])
  return out
}

type Item = { nib: number[]; value: Uint8Array }

function encodeNode(items: Item[], version: 0 | 1): Uint8Array {
  // longest common prefix of all remaining nibble paths
  let lcp = items[0].nib.length
  for (const it of items) {
    let i = 0
    while (i < lcp && i < it.nib.length && it.nib[i] === items[0].nib[i]) i++
    lcp = i
  }
  const partial = items[0].nib.slice(0, lcp)
  const own = items.find((it) => it.nib.length === lcp)
  const hashed = own !== undefined && version === 1 && own.value.length >= 33
  const valueBytes = own === undefined ? [] : hashed ? Array.from(h(own.value)) : [...compactLen(own.value.length), ...own.value]
  if (items.length === 1) {
    return Uint8Array.from([...header(hashed ? 'leafHash' : 'leaf', partial.length), ...packNibbles(partial), ...valueBytes])
  }
  const groups: Item[][] = Array.from({ length: 16 }, () => [])
  for (const it of items) if (it.nib.length > lcp) groups[it.nib[lcp]].push({ nib: it.nib.slice(lcp + 1), value: it.value })
  let bitmap = 0
  const childBytes: number[] = []
  groups.forEach((g, i) => {
    if (g.length === 0) return
    bitmap |= 1 << i
    const enc = encodeNode(g, version)
    const ref = enc.length >= 32 ? h(enc) : enc
    childBytes.push(...compactLen(ref.length), ...ref)
  })
  const kind = own === undefined ? 'branch' : hashed ? 'branchHash' : 'branchValue'
  return Uint8Array.from([...header(kind, partial.length), ...packNibbles(partial), bitmap & 255, bitmap >> 8, ...valueBytes, ...childBytes])
}

/** Root of a trie over `map` (hex key → value), computed the slow obvious way. */
export function naiveRoot(map: Map<string, Uint8Array>, version: 0 | 1): Uint8Array {
  if (map.size === 0) return h(new Uint8Array([0]))
  const items: Item[] = []
  for (const [k, value] of map) {
    const nib: number[] = []
    for (let i = 0; i < k.length; i++) nib.push(parseInt(k[i], 16))
    items.push({ nib, value })
  }
  return h(encodeNode(items, version))
}
