// Hex and byte helpers: the edge between `Uint8Array` (used everywhere inside) and 0x-hex (JSON, CLI).
// Never used on hot paths inside the core; bytes stay bytes.

const HEX = '0123456789abcdef'
const LUT: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4] + HEX[i & 15])

/** Thrown when a hex string from outside is malformed. */
export class HexError extends Error {
  override readonly name = 'HexError'
  constructor(readonly code: 'OddLength' | 'BadCharacter' | 'NotAString', message: string) {
    super(message)
  }
}

/** Encodes bytes as lowercase hex with a `0x` prefix. */
export function toHex(bytes: Uint8Array): string {
  let s = '0x'
  for (let i = 0; i < bytes.length; i++) s += LUT[bytes[i]]
  return s
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

// Node's native hex decoder when present (about 10x faster on runtime-sized strings); it stops at the
// first invalid pair, which we detect from the number of bytes written. Browsers use the loop below.
type NativeBuffer = { from(b: ArrayBuffer, o: number, l: number): { write(s: string, o: number, l: number, enc: 'hex'): number } }
const NativeBuf = (globalThis as { Buffer?: NativeBuffer }).Buffer

/** Decodes hex with or without `0x` prefix; throws `HexError` on malformed input. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new HexError('NotAString', `expected a hex string, got ${typeof hex}`)
  const start = hex.startsWith('0x') || hex.startsWith('0X') ? 2 : 0
  const len = hex.length - start
  if (len % 2 !== 0) throw new HexError('OddLength', `hex string has odd length ${len}`)
  const out = new Uint8Array(len / 2)
  if (NativeBuf !== undefined && out.length >= 64) {
    const written = NativeBuf.from(out.buffer, 0, out.length).write(start === 0 ? hex : hex.slice(2), 0, out.length, 'hex')
    if (written === out.length) return out
    throw new HexError('BadCharacter', `bad hex character near offset ${start + 2 * written}`)
  }
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(start + 2 * i))
    const lo = nibble(hex.charCodeAt(start + 2 * i + 1))
    if (hi < 0 || lo < 0) throw new HexError('BadCharacter', `bad hex character near offset ${start + 2 * i}`)
    out[i] = (hi << 4) | lo
  }
  return out
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic comparison of byte strings (as Substrate orders storage keys). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** True when `bytes` starts with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })
/** UTF-8 encode. */
export const utf8 = (s: string): Uint8Array => enc.encode(s)
/** Strict UTF-8 decode (throws TypeError on invalid UTF-8). */
export const fromUtf8 = (b: Uint8Array): string => dec.decode(b)
