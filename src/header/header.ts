// Block header and digest-item codec (sp-runtime `generic::Header` with a u32 compact block number),
// header hash and pre-seal hash. Strict decoding: every malformed header is a DecodeError with an
// offset. Never interprets consensus payloads (see consensus-logs.ts).

import { DecodeError, Reader, Writer, bytesEqual, fromUtf8, utf8 } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'

/** A consensus engine id: 4 ASCII bytes, e.g. 'BABE', 'aura', 'FRNK' (GRANDPA), 'BEEF'. */
export type EngineId = string

export type DigestItem =
  | { type: 'preRuntime'; engine: EngineId; payload: Uint8Array }
  | { type: 'consensus'; engine: EngineId; payload: Uint8Array }
  | { type: 'seal'; engine: EngineId; payload: Uint8Array }
  | { type: 'runtimeEnvironmentUpdated' }
  | { type: 'other'; payload: Uint8Array }

export interface Header {
  parentHash: Uint8Array
  /** Block number (u32, compact-encoded on the wire). */
  number: number
  stateRoot: Uint8Array
  extrinsicsRoot: Uint8Array
  digest: DigestItem[]
}

export const BABE_ENGINE: EngineId = 'BABE'
export const AURA_ENGINE: EngineId = 'aura'
export const GRANDPA_ENGINE: EngineId = 'FRNK'

// DigestItem variant indices (sp-runtime generic::DigestItem; 1-3 and 7 are retired changes-trie items).
const OTHER = 0
const CONSENSUS = 4
const SEAL = 5
const PRE_RUNTIME = 6
const RUNTIME_ENV_UPDATED = 8

function readEngine(r: Reader): EngineId {
  const at = r.pos
  const b = r.bytes_(4)
  for (const c of b) if (c < 0x20 || c > 0x7e) throw new DecodeError('Invalid', at, `engine id is not printable ASCII at offset ${at}`)
  return fromUtf8(b)
}

function writeEngine(w: Writer, engine: EngineId): void {
  const b = utf8(engine)
  if (b.length !== 4) throw new RangeError(`engine id must be 4 ASCII bytes, got '${engine}'`)
  w.bytes(b)
}

/** Reads one digest item. */
export function readDigestItem(r: Reader): DigestItem {
  const at = r.pos
  const tag = r.u8()
  switch (tag) {
    case OTHER:
      return { type: 'other', payload: r.vecU8() }
    case CONSENSUS:
      return { type: 'consensus', engine: readEngine(r), payload: r.vecU8() }
    case SEAL:
      return { type: 'seal', engine: readEngine(r), payload: r.vecU8() }
    case PRE_RUNTIME:
      return { type: 'preRuntime', engine: readEngine(r), payload: r.vecU8() }
    case RUNTIME_ENV_UPDATED:
      return { type: 'runtimeEnvironmentUpdated' }
    default:
      throw new DecodeError('BadVariant', at, `unknown digest item ${tag} at offset ${at}`)
  }
}

export function writeDigestItem(w: Writer, item: DigestItem): void {
  switch (item.type) {
    case 'other':
      w.u8(OTHER).vecU8(item.payload)
      return
    case 'consensus':
    case 'seal':
    case 'preRuntime':
      w.u8(item.type === 'consensus' ? CONSENSUS : item.type === 'seal' ? SEAL : PRE_RUNTIME)
      writeEngine(w, item.engine)
      w.vecU8(item.payload)
      return
    case 'runtimeEnvironmentUpdated':
      w.u8(RUNTIME_ENV_UPDATED)
      return
    default:
      throw new TypeError(`unknown digest item type ${(item as { type: string }).type}`)
  }
}

/** Reads a header from a reader (for headers embedded in larger structures). */
export function readHeader(r: Reader): Header {
  const parentHash = r.bytes_(32)
  const number = r.compactNumber(0xffffffff)
  const stateRoot = r.bytes_(32)
  const extrinsicsRoot = r.bytes_(32)
  const digest = r.vec(readDigestItem, 1)
  return { parentHash, number, stateRoot, extrinsicsRoot, digest }
}

/** Decodes a whole SCALE-encoded header (no trailing bytes). */
export function decodeHeader(bytes: Uint8Array): Header {
  const r = new Reader(bytes)
  const h = readHeader(r)
  r.finish()
  return h
}

export function writeHeader(w: Writer, h: Header): void {
  for (const [name, v] of [['parentHash', h.parentHash], ['stateRoot', h.stateRoot], ['extrinsicsRoot', h.extrinsicsRoot]] as const) {
    if (!(v instanceof Uint8Array) || v.length !== 32) throw new TypeError(`header.${name} must be 32 bytes`)
  }
  if (!Number.isInteger(h.number) || h.number < 0 || h.number > 0xffffffff) throw new RangeError(`header.number out of range: ${h.number}`)
  w.bytes(h.parentHash).compact(h.number).bytes(h.stateRoot).bytes(h.extrinsicsRoot)
  w.vec(h.digest, writeDigestItem)
}

export function encodeHeader(h: Header): Uint8Array {
  const w = new Writer(256)
  writeHeader(w, h)
  return w.finish()
}

/** blake2-256 of the header's encoding (the block hash). */
export function headerHash(h: Header | Uint8Array): Uint8Array {
  return blake2_256(h instanceof Uint8Array ? h : encodeHeader(h))
}

/** The header's final seal item, if its last digest item is one. */
export function sealOf(h: Header): Extract<DigestItem, { type: 'seal' }> | undefined {
  const last = h.digest[h.digest.length - 1]
  return last?.type === 'seal' ? last : undefined
}

/** The header without its final seal (what the author signed). */
export function unsealedHeader(h: Header): Header {
  return sealOf(h) === undefined ? h : { ...h, digest: h.digest.slice(0, -1) }
}

/** Hash of the header without its seal: the message a BABE/Aura seal signs. */
export function preSealHash(h: Header): Uint8Array {
  return headerHash(unsealedHeader(h))
}

/** The first pre-runtime digest payload of an engine. */
export function findPreRuntime(h: Header, engine: EngineId): Uint8Array | undefined {
  for (const d of h.digest) if (d.type === 'preRuntime' && d.engine === engine) return d.payload
  return undefined
}

/** All consensus-log payloads of an engine, in order. */
export function consensusLogs(h: Header, engine: EngineId): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const d of h.digest) if (d.type === 'consensus' && d.engine === engine) out.push(d.payload)
  return out
}

export function headersEqual(a: Header, b: Header): boolean {
  return bytesEqual(encodeHeader(a), encodeHeader(b))
}
