// SCALE (Substrate's Simple Concatenated Aggregate Little-Endian) codec: a `Reader` cursor, a growable
// `Writer`, and small composable `Codec<T>` values. Written here rather than taken from scale-ts because
// decoding must be strict (canonical compacts, bounds, trailing bytes) with typed errors and offsets, and
// it measured faster on our hot paths (see bench/scale.bench.ts). Never throws anything but DecodeError
// on bad input; misuse of the API (e.g. negative numbers to encode) is a RangeError/TypeError.

import { fromUtf8 } from './hex.ts'

export type DecodeErrorCode =
  | 'TooShort'
  | 'TrailingBytes'
  | 'NonCanonicalCompact'
  | 'CompactOverflow'
  | 'BadBool'
  | 'BadOption'
  | 'BadVariant'
  | 'TooLarge'
  | 'BadUtf8'
  | 'Invalid'

/** Bad SCALE input: `code` says what, `offset` where (byte index in the input). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError'
  constructor(
    readonly code: DecodeErrorCode,
    readonly offset: number,
    message?: string,
  ) {
    super(message ?? `${code} at offset ${offset}`)
  }
}

/** A bounds-checked little-endian cursor over bytes. All reads throw `DecodeError` past the end. */
export class Reader {
  pos: number
  readonly end: number
  private readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start
    this.end = end
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  get remaining(): number {
    return this.end - this.pos
  }
  private need(n: number): number {
    if (n > this.end - this.pos) throw new DecodeError('TooShort', this.pos, `need ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`)
    const p = this.pos
    this.pos += n
    return p
  }
  u8(): number {
    return this.bytes[this.need(1)]
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true)
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true)
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8), true)
  }
  u128(): bigint {
    const lo = this.u64()
    const hi = this.u64()
    return (hi << 64n) | lo
  }
  i8(): number {
    return this.view.getInt8(this.need(1))
  }
  i16(): number {
    return this.view.getInt16(this.need(2), true)
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true)
  }
  i64(): bigint {
    return this.view.getBigInt64(this.need(8), true)
  }
  bool(): boolean {
    const at = this.pos
    const b = this.u8()
    if (b > 1) throw new DecodeError('BadBool', at, `bool byte ${b} at offset ${at}`)
    return b === 1
  }
  /** `n` raw bytes (a subarray view, no copy). */
  bytes_(n: number): Uint8Array {
    const p = this.need(n)
    return this.bytes.subarray(p, p + n)
  }
  /** Compact integer as bigint (u128-safe); rejects non-canonical encodings as Substrate does. */
  compact(): bigint {
    const at = this.pos
    const b0 = this.u8()
    switch (b0 & 3) {
      case 0:
        return BigInt(b0 >> 2)
      case 1: {
        this.pos = at
        const v = this.u16() >> 2
        if (v < 64) throw new DecodeError('NonCanonicalCompact', at)
        return BigInt(v)
      }
      case 2: {
        this.pos = at
        const v = this.u32() >>> 2
        if (v < 1 << 14) throw new DecodeError('NonCanonicalCompact', at)
        return BigInt(v)
      }
      default: {
        const n = (b0 >> 2) + 4
        if (n > 16) throw new DecodeError('CompactOverflow', at, `compact of ${n} bytes exceeds u128`)
        const p = this.need(n)
        let v = 0n
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[p + i])
        if (this.bytes[p + n - 1] === 0 || (n === 4 && v < 1n << 30n)) throw new DecodeError('NonCanonicalCompact', at)
        return v
      }
    }
  }
  /** Compact integer that must fit a JS number (lengths, indices); fast path without bigint. */
  compactNumber(max = Number.MAX_SAFE_INTEGER): number {
    const at = this.pos
    if (this.pos < this.end) {
      const b0 = this.bytes[this.pos]
      const mode = b0 & 3
      if (mode === 0) {
        this.pos++
        const v = b0 >> 2
        if (v > max) throw new DecodeError('TooLarge', at, `value ${v} exceeds ${max}`)
        return v
      }
      if (mode === 1) {
        const v = this.u16() >> 2
        if (v < 64) throw new DecodeError('NonCanonicalCompact', at)
        if (v > max) throw new DecodeError('TooLarge', at, `value ${v} exceeds ${max}`)
        return v
      }
      if (mode === 2) {
        const v = this.u32() >>> 2
        if (v < 1 << 14) throw new DecodeError('NonCanonicalCompact', at)
        if (v > max) throw new DecodeError('TooLarge', at, `value ${v} exceeds ${max}`)
        return v
      }
    }
    const v = this.compact()
    if (v > BigInt(max)) throw new DecodeError('TooLarge', at, `value ${v} exceeds ${max}`)
    return Number(v)
  }
  /** Compact length prefix then that many bytes (`Vec<u8>`). */
  vecU8(): Uint8Array {
    const at = this.pos
    const n = this.compactNumber()
    if (n > this.remaining) throw new DecodeError('TooShort', at, `byte vector of ${n} bytes at offset ${at}, ${this.remaining} left`)
    return this.bytes_(n)
  }
  /** UTF-8 string (`String`). */
  str(): string {
    const at = this.pos
    const b = this.vecU8()
    try {
      return fromUtf8(b)
    } catch {
      throw new DecodeError('BadUtf8', at)
    }
  }
  /** Compact length prefix, checked to be plausible (each item takes at least `minItemSize` bytes). */
  vecLength(minItemSize = 1): number {
    const at = this.pos
    const n = this.compactNumber()
    if (minItemSize > 0 && n * minItemSize > this.remaining) throw new DecodeError('TooShort', at, `vector of ${n} items cannot fit in ${this.remaining} bytes`)
    return n
  }
  vec<T>(item: (r: Reader) => T, minItemSize = 1): T[] {
    const n = this.vecLength(minItemSize)
    const out: T[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = item(this)
    return out
  }
  option<T>(item: (r: Reader) => T): T | undefined {
    const at = this.pos
    const t = this.u8()
    if (t === 0) return undefined
    if (t === 1) return item(this)
    throw new DecodeError('BadOption', at, `option tag ${t} at offset ${at}`)
  }
  /** Enum variant index, checked against the number of variants. */
  variant(count: number): number {
    const at = this.pos
    const t = this.u8()
    if (t >= count) throw new DecodeError('BadVariant', at, `variant ${t} of ${count} at offset ${at}`)
    return t
  }
  /** Asserts the whole input was consumed. */
  finish(): void {
    if (this.pos !== this.end) throw new DecodeError('TrailingBytes', this.pos, `${this.end - this.pos} trailing bytes at offset ${this.pos}`)
  }
}

/** Growable byte writer for SCALE encoding. */
export class Writer {
  private buf: Uint8Array
  private view: DataView
  len = 0
  constructor(initial = 64) {
    this.buf = new Uint8Array(initial)
    this.view = new DataView(this.buf.buffer)
  }
  private grow(n: number): number {
    const need = this.len + n
    if (need > this.buf.length) {
      let cap = this.buf.length * 2
      while (cap < need) cap *= 2
      const b = new Uint8Array(cap)
      b.set(this.buf.subarray(0, this.len))
      this.buf = b
      this.view = new DataView(b.buffer)
    }
    const p = this.len
    this.len = need
    return p
  }
  u8(v: number): this {
    checkUint(v, 0xff, 'u8')
    const p = this.grow(1) // grow first: it may replace this.buf
    this.buf[p] = v
    return this
  }
  u16(v: number): this {
    checkUint(v, 0xffff, 'u16')
    const p = this.grow(2)
    this.view.setUint16(p, v, true)
    return this
  }
  u32(v: number): this {
    checkUint(v, 0xffffffff, 'u32')
    const p = this.grow(4)
    this.view.setUint32(p, v, true)
    return this
  }
  u64(v: bigint | number): this {
    const b = BigInt(v)
    if (b < 0n || b >= 1n << 64n) throw new RangeError(`u64 out of range: ${v}`)
    const p = this.grow(8)
    this.view.setBigUint64(p, b, true)
    return this
  }
  u128(v: bigint | number): this {
    const b = BigInt(v)
    if (b < 0n || b >= 1n << 128n) throw new RangeError(`u128 out of range: ${v}`)
    this.u64(b & 0xffffffffffffffffn)
    return this.u64(b >> 64n)
  }
  i8(v: number): this {
    const p = this.grow(1)
    this.view.setInt8(p, v)
    return this
  }
  i16(v: number): this {
    const p = this.grow(2)
    this.view.setInt16(p, v, true)
    return this
  }
  i32(v: number): this {
    const p = this.grow(4)
    this.view.setInt32(p, v, true)
    return this
  }
  i64(v: bigint): this {
    const p = this.grow(8)
    this.view.setBigInt64(p, v, true)
    return this
  }
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0)
  }
  bytes(b: Uint8Array): this {
    const p = this.grow(b.length)
    this.buf.set(b, p)
    return this
  }
  /** Compact integer (number or bigint, up to u128). */
  compact(v: number | bigint): this {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`compact out of range: ${v}`)
      if (v < 64) return this.u8(v << 2)
      if (v < 1 << 14) return this.u16((v << 2) | 1)
      if (v < 1 << 30) return this.u32(((v << 2) | 2) >>> 0)
      v = BigInt(v)
    }
    if (v < 0n || v >= 1n << 128n) throw new RangeError(`compact out of range: ${v}`)
    if (v < 1n << 30n) return this.compact(Number(v))
    let n = 0
    for (let t = v; t > 0n; t >>= 8n) n++
    this.u8(((n - 4) << 2) | 3)
    const p = this.grow(n)
    for (let i = 0; i < n; i++) {
      this.buf[p + i] = Number(v & 0xffn)
      v >>= 8n
    }
    return this
  }
  /** `Vec<u8>`: compact length then bytes. */
  vecU8(b: Uint8Array): this {
    return this.compact(b.length).bytes(b)
  }
  str(s: string): this {
    return this.vecU8(new TextEncoder().encode(s))
  }
  vec<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.compact(items.length)
    for (const v of items) item(this, v)
    return this
  }
  option<T>(v: T | undefined, item: (w: Writer, v: T) => void): this {
    if (v === undefined) return this.u8(0)
    this.u8(1)
    item(this, v)
    return this
  }
  /** The encoded bytes (a copy, so the writer can be reused). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`)
}

/** Encodes a compact integer on its own. */
export function encodeCompact(v: number | bigint): Uint8Array {
  return new Writer(17).compact(v).finish()
}

/** Decodes a whole input with `fn`, requiring every byte to be consumed. */
export function decodeAll<T>(bytes: Uint8Array, fn: (r: Reader) => T): T {
  const r = new Reader(bytes)
  const v = fn(r)
  r.finish()
  return v
}
