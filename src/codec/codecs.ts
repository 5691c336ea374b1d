// Composable SCALE codec values (`Codec<T>`): the type of a value follows from its codec, so wire format
// and TypeScript type cannot drift apart. Built on `Reader`/`Writer`; decoding is strict.

import { DecodeError, Reader, Writer } from './scale.ts'

export interface Codec<T> {
  enc(w: Writer, v: T): void
  dec(r: Reader): T
}
export type CodecType<C> = C extends Codec<infer T> ? T : never

/** Encodes one value to bytes. */
export function encode<T>(c: Codec<T>, v: T): Uint8Array {
  const w = new Writer()
  c.enc(w, v)
  return w.finish()
}
/** Decodes one value, requiring all input to be consumed. */
export function decode<T>(c: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes)
  const v = c.dec(r)
  r.finish()
  return v
}

export const u8: Codec<number> = { enc: (w, v) => void w.u8(v), dec: (r) => r.u8() }
export const u16: Codec<number> = { enc: (w, v) => void w.u16(v), dec: (r) => r.u16() }
export const u32: Codec<number> = { enc: (w, v) => void w.u32(v), dec: (r) => r.u32() }
export const u64: Codec<bigint> = { enc: (w, v) => void w.u64(v), dec: (r) => r.u64() }
export const u128: Codec<bigint> = { enc: (w, v) => void w.u128(v), dec: (r) => r.u128() }
export const i8: Codec<number> = { enc: (w, v) => void w.i8(v), dec: (r) => r.i8() }
export const i16: Codec<number> = { enc: (w, v) => void w.i16(v), dec: (r) => r.i16() }
export const i32: Codec<number> = { enc: (w, v) => void w.i32(v), dec: (r) => r.i32() }
export const i64: Codec<bigint> = { enc: (w, v) => void w.i64(v), dec: (r) => r.i64() }
export const bool: Codec<boolean> = { enc: (w, v) => void w.bool(v), dec: (r) => r.bool() }
/** Compact integer as bigint (u128-safe). */
export const compact: Codec<bigint> = { enc: (w, v) => void w.compact(v), dec: (r) => r.compact() }
/** Compact integer that fits a JS number. */
export const compactNumber: Codec<number> = { enc: (w, v) => void w.compact(v), dec: (r) => r.compactNumber() }
/** `Vec<u8>` */
export const bytes: Codec<Uint8Array> = { enc: (w, v) => void w.vecU8(v), dec: (r) => r.vecU8() }
export const str: Codec<string> = { enc: (w, v) => void w.str(v), dec: (r) => r.str() }

/** `[u8; n]` */
export function fixedBytes(n: number): Codec<Uint8Array> {
  return {
    enc: (w, v) => {
      if (v.length !== n) throw new RangeError(`expected ${n} bytes, got ${v.length}`)
      w.bytes(v)
    },
    dec: (r) => r.bytes_(n),
  }
}

/** `Option<T>`: tag byte 0 (None) or 1 (Some) then the value. As in parity-scale-codec, this holds for
 *  `Option<bool>` too (two bytes); the one-byte form is the separate `OptionBool` shim below. */
export function option<T>(c: Codec<T>): Codec<T | undefined> {
  return { enc: (w, v) => void w.option(v, c.enc), dec: (r) => r.option(c.dec) }
}
/** parity-scale-codec's `OptionBool` shim: one byte, 0 = None, 1 = Some(true), 2 = Some(false). */
export const optionBool: Codec<boolean | undefined> = {
  enc: (w, v) => void w.u8(v === undefined ? 0 : v ? 1 : 2),
  dec: (r) => {
    const at = r.pos
    const t = r.u8()
    if (t === 0) return undefined
    if (t === 1) return true
    if (t === 2) return false
    throw new DecodeError('BadOption', at, `Option<bool> byte ${t} at offset ${at}`)
  },
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E }
/** `Result<T, E>`: variant 0 = Ok, 1 = Err. */
export function result<T, E>(ok: Codec<T>, err: Codec<E>): Codec<Result<T, E>> {
  return {
    enc: (w, v) => {
      if (v.ok) {
        w.u8(0)
        ok.enc(w, v.value)
      } else {
        w.u8(1)
        err.enc(w, v.error)
      }
    },
    dec: (r) => (r.variant(2) === 0 ? { ok: true, value: ok.dec(r) } : { ok: false, error: err.dec(r) }),
  }
}

/** `Vec<T>` with an optional cap on the number of items. */
export function vec<T>(c: Codec<T>, maxItems = Number.MAX_SAFE_INTEGER): Codec<T[]> {
  return {
    enc: (w, v) => void w.vec(v, c.enc),
    dec: (r) => {
      const at = r.pos
      const n = r.vecLength(0)
      if (n > maxItems) throw new DecodeError('TooLarge', at, `vector of ${n} items exceeds ${maxItems}`)
      if (n > r.remaining) throw new DecodeError('TooShort', at, `vector of ${n} items cannot fit in ${r.remaining} bytes`)
      const out: T[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = c.dec(r)
      return out
    },
  }
}

/** `[T; n]` */
export function array<T>(c: Codec<T>, n: number): Codec<T[]> {
  return {
    enc: (w, v) => {
      if (v.length !== n) throw new RangeError(`expected ${n} items, got ${v.length}`)
      for (const x of v) c.enc(w, x)
    },
    dec: (r) => {
      const out: T[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = c.dec(r)
      return out
    },
  }
}

/** Tuples: `tuple(u8, str)` is `(u8, String)`. */
export function tuple<T extends unknown[]>(...cs: { [K in keyof T]: Codec<T[K]> }): Codec<T> {
  return {
    enc: (w, v) => {
      for (let i = 0; i < cs.length; i++) (cs[i] as Codec<unknown>).enc(w, v[i])
    },
    dec: (r) => cs.map((c) => (c as Codec<unknown>).dec(r)) as T,
  }
}

/** Structs: fields encoded in declaration order. */
export function struct<T extends Record<string, unknown>>(fields: { [K in keyof T]: Codec<T[K]> }): Codec<T> {
  const keys = Object.keys(fields) as (keyof T)[]
  return {
    enc: (w, v) => {
      for (const k of keys) fields[k].enc(w, v[k])
    },
    dec: (r) => {
      const out = {} as T
      for (const k of keys) out[k] = fields[k].dec(r)
      return out
    },
  }
}

export type EnumValue<V extends Record<string, unknown>> = { [K in keyof V]: { tag: K; value: V[K] } }[keyof V]
/** Enums with payloads; variant indices follow declaration order unless `indices` overrides them. */
export function enumeration<V extends Record<string, unknown>>(
  variants: { [K in keyof V]: Codec<V[K]> },
  indices?: { [K in keyof V]?: number },
): Codec<EnumValue<V>> {
  const names = Object.keys(variants) as (keyof V)[]
  const toIndex = new Map<keyof V, number>()
  const fromIndex = new Map<number, keyof V>()
  names.forEach((n, i) => {
    const idx = indices?.[n] ?? i
    toIndex.set(n, idx)
    fromIndex.set(idx, n)
  })
  return {
    enc: (w, v) => {
      const idx = toIndex.get(v.tag)
      if (idx === undefined) throw new TypeError(`unknown variant ${String(v.tag)}`)
      w.u8(idx)
      variants[v.tag].enc(w, v.value as never)
    },
    dec: (r) => {
      const at = r.pos
      const idx = r.u8()
      const name = fromIndex.get(idx)
      if (name === undefined) throw new DecodeError('BadVariant', at, `variant ${idx} at offset ${at}`)
      return { tag: name, value: variants[name].dec(r) } as EnumValue<V>
    },
  }
}

/** The unit type `()`. */
export const unit: Codec<undefined> = { enc: () => {}, dec: () => undefined }
