// Substrate trie node codec ("layout V1" of sp-trie, which also reads V0 nodes): header byte, packed
// partial key, child bitmap, value (inline or 32-byte hash), child references (inline < 32 bytes, else
// hash). Pure and strict: every malformed node is a TrieError/DecodeError, never a crash.

import { DecodeError, Reader, Writer } from '../codec/index.ts'
import { TrieError } from './errors.ts'

/** A reference to a node: its blake2-256 hash, or the node's encoding itself when shorter than 32 bytes. */
export type NodeRef = { kind: 'hash'; hash: Uint8Array } | { kind: 'inline'; node: Uint8Array }
/** A stored value: inline bytes, or (state V1, values of 33 bytes or more) the hash of a value node. */
export type NodeValue = { kind: 'inline'; value: Uint8Array } | { kind: 'hash'; hash: Uint8Array }

export interface DecodedNode {
  /** Partial key as nibbles (0..15 each). */
  partial: Uint8Array
  value: NodeValue | undefined
  /** 16 slots for branches; undefined for leaves. */
  children: (NodeRef | undefined)[] | undefined
}

/** Values at least this long are stored as hashes in state version 1. */
export const V1_HASHED_VALUE_THRESHOLD = 33
const MAX_NIBBLES = 65535

type Kind = 'empty' | 'leaf' | 'branchNoValue' | 'branchValue' | 'leafHashed' | 'branchHashed'

/** Writes a node header: prefix bits then the nibble count (low bits, then 255-continuation bytes). */
function writeHeader(w: Writer, kind: Kind, nibbles: number): void {
  let prefix: number, bits: number
  switch (kind) {
    case 'leaf':
      ;[prefix, bits] = [0b01 << 6, 6]
      break
    case 'branchNoValue':
      ;[prefix, bits] = [0b10 << 6, 6]
      break
    case 'branchValue':
      ;[prefix, bits] = [0b11 << 6, 6]
      break
    case 'leafHashed':
      ;[prefix, bits] = [0b001 << 5, 5]
      break
    case 'branchHashed':
      ;[prefix, bits] = [0b0001 << 4, 4]
      break
    default:
      w.u8(0)
      return
  }
  if (nibbles > MAX_NIBBLES) throw new RangeError(`partial key of ${nibbles} nibbles exceeds ${MAX_NIBBLES}`)
  const max = (1 << bits) - 1
  if (nibbles < max) {
    w.u8(prefix | nibbles)
    return
  }
  w.u8(prefix | max)
  let rest = nibbles - max
  while (rest >= 255) {
    w.u8(255)
    rest -= 255
  }
  w.u8(rest)
}

/** Packs nibbles `src[from..to)` as Substrate does: an odd count puts the first nibble alone in the low half. */
export function writePartial(w: Writer, nibbleAt: (i: number) => number, from: number, to: number): void {
  let i = from
  if ((to - from) & 1) w.u8(nibbleAt(i++))
  for (; i < to; i += 2) w.u8((nibbleAt(i) << 4) | nibbleAt(i + 1))
}

/**
 * Encodes a node. `partial` is given as an accessor over a nibble range so callers can encode straight
 * from keys without copying nibbles out. `children` are already-encoded references.
 */
export function encodeNode(
  nibbleAt: (i: number) => number,
  from: number,
  to: number,
  value: NodeValue | undefined,
  children: (NodeRef | undefined)[] | undefined,
): Uint8Array {
  const w = new Writer(64)
  const hashed = value?.kind === 'hash'
  if (children === undefined) {
    if (value === undefined) throw new TypeError('a leaf needs a value')
    writeHeader(w, hashed ? 'leafHashed' : 'leaf', to - from)
  } else {
    writeHeader(w, value === undefined ? 'branchNoValue' : hashed ? 'branchHashed' : 'branchValue', to - from)
  }
  writePartial(w, nibbleAt, from, to)
  if (children !== undefined) {
    let bitmap = 0
    for (let i = 0; i < 16; i++) if (children[i] !== undefined) bitmap |= 1 << i
    w.u16(bitmap)
  }
  if (value !== undefined) {
    if (value.kind === 'hash') w.bytes(value.hash)
    else w.vecU8(value.value)
  }
  if (children !== undefined) {
    for (let i = 0; i < 16; i++) {
      const c = children[i]
      if (c === undefined) continue
      w.vecU8(c.kind === 'hash' ? c.hash : c.node)
    }
  }
  return w.finish()
}

/** Decodes one node (strict: no trailing bytes, zero padding nibble, non-empty branches). */
export function decodeNode(bytes: Uint8Array): DecodedNode | 'empty' {
  const r = new Reader(bytes)
  const first = r.u8()
  if (first === 0) {
    r.finish()
    return 'empty'
  }
  let kind: Kind, bits: number
  if (first >> 6 === 0b01) [kind, bits] = ['leaf', 6]
  else if (first >> 6 === 0b10) [kind, bits] = ['branchNoValue', 6]
  else if (first >> 6 === 0b11) [kind, bits] = ['branchValue', 6]
  else if (first >> 5 === 0b001) [kind, bits] = ['leafHashed', 5]
  else if (first >> 4 === 0b0001) [kind, bits] = ['branchHashed', 4]
  else throw new TrieError('BadNodeHeader', `unknown node header byte 0x${first.toString(16)}`)
  const max = (1 << bits) - 1
  let nibbles = first & max
  if (nibbles === max) {
    for (;;) {
      const b = r.u8()
      nibbles += b
      if (nibbles > MAX_NIBBLES) throw new TrieError('BadNodeHeader', `partial key longer than ${MAX_NIBBLES} nibbles`)
      if (b < 255) break
    }
  }
  const partialBytes = r.bytes_((nibbles + 1) >> 1)
  const partial = new Uint8Array(nibbles)
  let o = 0
  let j = 0
  if (nibbles & 1) {
    if (partialBytes[0] >> 4 !== 0) throw new TrieError('BadNode', 'non-zero padding nibble in partial key')
    partial[o++] = partialBytes[0] & 15
    j = 1
  }
  for (; j < partialBytes.length; j++) {
    partial[o++] = partialBytes[j] >> 4
    partial[o++] = partialBytes[j] & 15
  }
  const isBranch = kind === 'branchNoValue' || kind === 'branchValue' || kind === 'branchHashed'
  let bitmap = 0
  if (isBranch) {
    bitmap = r.u16()
    if (bitmap === 0) throw new TrieError('BadNode', 'branch node without children')
  }
  let value: NodeValue | undefined
  if (kind === 'leaf' || kind === 'branchValue') value = { kind: 'inline', value: r.vecU8() }
  else if (kind === 'leafHashed' || kind === 'branchHashed') value = { kind: 'hash', hash: r.bytes_(32) }
  let children: (NodeRef | undefined)[] | undefined
  if (isBranch) {
    children = new Array(16).fill(undefined)
    for (let i = 0; i < 16; i++) {
      if (!(bitmap & (1 << i))) continue
      const at = r.pos
      const c = r.vecU8()
      if (c.length === 32) children[i] = { kind: 'hash', hash: c }
      else if (c.length < 32) children[i] = { kind: 'inline', node: c }
      else throw new TrieError('BadChildReference', `child reference of ${c.length} bytes at offset ${at}`)
    }
  }
  r.finish()
  return { partial, value, children }
}

export { DecodeError }
