// sr25519 (Schnorrkel) signature verification on public data, and the ristretto255 public keys it and
// the VRF decode. Ours rather than @scure/sr25519's `verify` (which stays for signing and key
// derivation): that one multiplies in constant time, which only secrets need, and decodes the key on
// every call. Here the arithmetic is variable-time, and keys are decoded once and kept; a key that
// signs again and again (an Aura or BABE author) gets a precomputed table, and so does the base point,
// so that `s·B − k·A` is about 120 additions and no doubling. The tables are walked, and the result
// encoded, by a small WebAssembly module of ours (`wasm/edwards25519.ts`, AssemblyScript, 3.8 KiB):
// a light client verifies one seal per block, long after the JIT has moved on, and BigInt arithmetic
// there cost ~2 ms a seal (allocation, unoptimized code, garbage); the module's loops cost the same cold
// as warm (~0.07 ms a verification warm, ~0.5 ms cold with the transcript's Keccak). No library does this
// part: @noble/curves' cached multiplication is the constant-time one (an addition for every window,
// real or dummy) over BigInts, and @polkadot/wasm-crypto would add hundreds of KiB to the browser
// bundle. Tables are built here once per key with @noble/curves (BigInt), then kept in the module's
// memory. Points without a table (a key seen once, the VRF's hashed input and pre-output) are multiplied
// there too, by doubling and adding (`combinationBytes`). Where the module cannot be compiled (a page
// whose policy forbids WebAssembly) @noble/curves does it all. The cache changes speed only, never a result.

import { ed25519, ristretto255 } from '@noble/curves/ed25519.js'
import { Transcript } from './merlin.ts'
import { EDWARDS25519_WASM } from './edwards25519-wasm.ts'

const Point = ristretto255.Point
type NoblePoint = InstanceType<typeof Point>
/** A ristretto255 point: what is used of @noble/curves' class, which its typings do not export by name. */
export interface RistrettoPoint {
  add(other: RistrettoPoint): RistrettoPoint
  multiplyUnsafe(scalar: bigint): RistrettoPoint
  negate(): RistrettoPoint
  equals(other: RistrettoPoint): boolean
  toBytes(): Uint8Array
}
const L = Point.Fn.ORDER
const P = ed25519.Point.Fp.ORDER
const D2 = (2n * ed25519.Point.CURVE().d) % P

/** Decoded keys kept (most recently used); an invalid encoding is remembered as such. */
const DECODED_KEPT = 1024
/** Keys with a precomputed table kept (120 KiB each, in the module's memory). */
const TABLES_KEPT = 16
/** A key gets a table once it is used twice within this many uses of any key (300 BABE validators in turn never are). */
const RECENT_USES = 32

type EdwardsPoint = InstanceType<typeof ed25519.Point>
/** Field product (operands in [0, P)). */
const mul = (a: bigint, b: bigint): bigint => (a * b) % P

/** The WebAssembly walk over tables (wasm/edwards25519.ts): its memory, its entry point and its layout. */
interface Walker {
  memory: WebAssembly.Memory
  walk(tableA: number, tableB: number): void
  combine(): void
  encode(): void
  pointA: number
  pointB: number
  acc: number
  encoded: number
  digitsA: number
  digitsB: number
  tables: number
  tableBytes: number
}
let walker: Walker | undefined
/** Set when the module could not be compiled here (a page whose policy forbids WebAssembly): @noble/curves does it all. */
let noWalker = false
/** Table slots: 0 is the base point's, the others are handed to keys' tables and taken back when they are dropped. */
const freeSlots: number[] = []
let slotsMade = 1

function walkerOf(): Walker {
  if (walker) return walker
  // 3.8 KiB: compiled synchronously (Chrome long refused that above 4 KiB on a page's main thread; the
  // Chromium 156 of our tests compiles 8 KB; the module stays under 4 KiB all the same)
  const bytes = Uint8Array.from(atob(EDWARDS25519_WASM), (c) => c.charCodeAt(0))
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as Record<string, unknown>
  const num = (name: string) => Number((e[name] as WebAssembly.Global).value)
  const w: Walker = { memory: e.memory as WebAssembly.Memory, walk: e.walk as Walker['walk'], combine: e.combine as Walker['combine'], encode: e.encode as Walker['encode'], pointA: num('POINT_A'), pointB: num('POINT_B'), acc: num('ACC'), encoded: num('ENCODED'), digitsA: num('DIGITS_A'), digitsB: num('DIGITS_B'), tables: num('TABLES'), tableBytes: num('TABLE_BYTES') }
  // ristretto255's constants (RFC 9496 §4.1), the non-negative roots: √−1 and 1/√(a−d), a = −1; and 2d
  const Fp = ed25519.Point.Fp
  const nonNegative = (x: bigint) => (x & 1n ? P - x : x)
  const constants = new Uint32Array(w.memory.buffer)
  writeElement(constants, num('SQRT_M1') / 8, nonNegative(Fp.pow(2n, (P - 1n) / 4n)))
  writeElement(constants, num('INVSQRT_A_MINUS_D') / 8, nonNegative(Fp.inv(Fp.sqrt(Fp.neg(Fp.add(1n, ed25519.Point.CURVE().d))))))
  writeElement(constants, num('D2') / 8, D2)
  return (walker = w)
}

/** Whether the WebAssembly module is usable here (compiled on first use; a failure is remembered). */
function hasWalker(): boolean {
  if (walker) return true
  if (noWalker) return false
  try {
    walkerOf()
    return true
  } catch {
    noWalker = true
    return false
  }
}

/** The i64 limbs of the wasm module's field elements: 26 and 25 bits alternately. */
const LIMB_BITS = [26, 25, 26, 25, 26, 25, 26, 25, 26, 25]
const LIMB_SHIFTS = LIMB_BITS.map((_, i) => BigInt(LIMB_BITS.slice(0, i).reduce((a, b) => a + b, 0)))

/** Writes v (< 2^255) as limbs at i64 index `at` of the module's memory (seen as 32-bit words: no BigInt per limb). */
function writeElement(words: Uint32Array, at: number, v: bigint): void {
  const hex = v.toString(16).padStart(64, '0')
  const w: number[] = []
  for (let i = 0; i < 8; i++) w.push(parseInt(hex.slice(56 - 8 * i, 64 - 8 * i), 16))
  let off = 0
  for (let i = 0; i < 10; i++) {
    const bits = LIMB_BITS[i]
    const q = off >>> 5
    const r = off & 31
    let limb = w[q] >>> r
    if (r !== 0 && q < 7) limb |= w[q + 1] << (32 - r)
    words[2 * (at + i)] = limb & ((1 << bits) - 1)
    words[2 * (at + i) + 1] = 0
    off += bits
  }
}

function readElement(view: BigInt64Array, at: number): bigint {
  let v = 0n
  for (let i = 0; i < 10; i++) v += view[at + i] << LIMB_SHIFTS[i]
  return v % P
}

/**
 * Multiples of one point for a signed base-16 walk: for each of the 64 nibbles of a scalar, j·16^i·Q
 * (j = 1…8) in affine "cached" form (y+x, y−x, 2d·x·y), so one step is a mixed addition (7 products).
 * Built here once (BigInt), kept in the WebAssembly module's memory, walked there.
 */
class FixedBaseTable {
  /** Byte address of the table in the wasm memory. */
  readonly at: number
  /** Its slot was handed to another key's table: walking it would use that key's multiples. */
  released = false

  constructor(
    q: NoblePoint,
    readonly slot: number,
  ) {
    const w = walkerOf()
    this.at = w.tables + slot * w.tableBytes
    const needed = this.at + w.tableBytes
    if (w.memory.buffer.byteLength < needed) w.memory.grow(Math.ceil((needed - w.memory.buffer.byteLength) / 65536))
    const points: { X: bigint; Y: bigint; Z: bigint }[] = []
    // the Edwards representative (any one of the class will do: the walk's result is encoded as ristretto)
    let base = (q as unknown as { ep: EdwardsPoint }).ep
    for (let i = 0; i < 64; i++) {
      let acc = base
      points.push(acc)
      for (let j = 1; j < 8; j++) points.push((acc = acc.add(base)))
      base = acc.double()
    }
    const zInv = ed25519.Point.Fp.invertBatch(points.map((p) => p.Z))
    const view = new Uint32Array(w.memory.buffer, this.at, w.tableBytes / 4)
    points.forEach((p, n) => {
      const x = mul(p.X, zInv[n])
      const y = mul(p.Y, zInv[n])
      writeElement(view, n * 30, (y + x) % P)
      writeElement(view, n * 30 + 10, (y - x + P) % P)
      writeElement(view, n * 30 + 20, mul(mul(x, y), D2))
    })
  }
}

/** A scalar's 64 signed base-16 digits (−8…8), written at `at`; scalar < 2^253. */
function writeDigits(memory: WebAssembly.Memory, at: number, scalar: bigint): void {
  const digits = new Int8Array(memory.buffer, at, 64)
  const hex = scalar.toString(16)
  let carry = 0
  for (let i = 0; i < 64; i++) {
    // nibble i counts from the least significant end
    const c = i < hex.length ? hex.charCodeAt(hex.length - 1 - i) : 48
    let d = (c <= 57 ? c - 48 : c - 87) + carry
    carry = d > 8 ? 1 : 0
    if (carry) d -= 16
    digits[i] = d
  }
}

let baseTable: FixedBaseTable | undefined
const baseTableOf = (): FixedBaseTable => (baseTable ??= new FixedBaseTable(Point.BASE, 0))

/** Σ scalar·Q over one or two tabled points into the wasm module's accumulator. */
function walkInto(w: Walker, a: [FixedBaseTable, bigint], b?: [FixedBaseTable, bigint]): void {
  writeDigits(w.memory, w.digitsA, a[1])
  if (b) writeDigits(w.memory, w.digitsB, b[1])
  w.walk(a[0].at, b ? b[0].at : 0)
}

/** scalar·Q over a tabled point, as a ristretto point. */
function walk(a: [FixedBaseTable, bigint]): NoblePoint {
  const w = walkerOf()
  walkInto(w, a)
  const acc = new BigInt64Array(w.memory.buffer, w.acc, 40)
  return new Point(new ed25519.Point(readElement(acc, 0), readElement(acc, 10), readElement(acc, 20), readElement(acc, 30)))
}

/** The ristretto255 encoding of Σ scalar·Q over two tabled points, computed and encoded in WebAssembly. */
function walkEncoded(a: [FixedBaseTable, bigint], b: [FixedBaseTable, bigint]): Uint8Array {
  const w = walkerOf()
  walkInto(w, a, b)
  w.encode()
  return new Uint8Array(w.memory.buffer, w.encoded, 32)
}

/**
 * The ristretto255 encoding of a·P + b·Q for public scalars a, b < L (a fresh copy), computed in
 * WebAssembly: by the tables when P is a key with one and Q the base point, else by doubling and adding
 * (the VRF's points: a hashed input and a pre-output, new every block).
 */
export function combinationBytes(p: RistrettoPoint, a: bigint, q: RistrettoPoint, b: bigint): Uint8Array {
  publicScalar(a)
  publicScalar(b)
  if (!hasWalker()) return (p.multiplyUnsafe(a) as NoblePoint).add(q.multiplyUnsafe(b) as NoblePoint).toBytes()
  if (p instanceof TabledPoint && !p.table.released && q === Point.BASE) return walkEncoded([baseTableOf(), b], [p.table, a]).slice()
  const w = walkerOf()
  const words = new Uint32Array(w.memory.buffer)
  for (const [point, at] of [[p, w.pointA], [q, w.pointB]] as const) {
    const ep = (point as unknown as { ep: EdwardsPoint }).ep
    ;[ep.X, ep.Y, ep.Z, ep.T].forEach((v, i) => writeElement(words, at / 8 + i * 10, v))
  }
  writeDigits(w.memory, w.digitsA, a)
  writeDigits(w.memory, w.digitsB, b)
  w.combine()
  w.encode()
  return new Uint8Array(w.memory.buffer, w.encoded, 32).slice()
}

function publicScalar(s: bigint): bigint {
  if (s < 0n || s >= L) throw new RangeError('invalid scalar: expected 0 <= sc < curve.n')
  return s
}

/** s·B for a public scalar 0 ≤ s < L, from the base point's table (variable time). */
export function baseMultiple(s: bigint): RistrettoPoint {
  if (!hasWalker()) return Point.BASE.multiplyUnsafe(publicScalar(s))
  return walk([baseTableOf(), publicScalar(s)])
}

/**
 * A key's point with its table: multiplying by it walks the table. A ristretto point of @noble/curves'
 * class in every other respect (adding, comparing, encoding), so callers cannot tell it apart.
 */
class TabledPoint extends Point {
  constructor(
    point: NoblePoint,
    readonly table: FixedBaseTable,
  ) {
    super((point as unknown as { ep: EdwardsPoint }).ep)
  }
  override multiplyUnsafe(scalar: bigint): NoblePoint {
    // a point kept by a caller after its table was dropped multiplies as any point does
    if (this.table.released) return super.multiplyUnsafe(scalar)
    return walk([this.table, publicScalar(scalar)])
  }
}

const decoded = new Map<string, NoblePoint | null>()
const tabled = new Map<string, TabledPoint>()
const recent: string[] = []
let recentAt = 0
const recentCount = new Map<string, number>()

function touch<V>(map: Map<string, V>, id: string, value: V, limit: number): void {
  map.delete(id)
  map.set(id, value)
  if (map.size > limit) map.delete(map.keys().next().value!)
}

function countUse(id: string): number {
  const old = recent[recentAt]
  if (old !== undefined) {
    const n = recentCount.get(old)! - 1
    if (n === 0) recentCount.delete(old)
    else recentCount.set(old, n)
  }
  recent[recentAt] = id
  recentAt = (recentAt + 1) % RECENT_USES
  const n = (recentCount.get(id) ?? 0) + 1
  recentCount.set(id, n)
  return n
}

/** Keeps a key's table as the most recently used; the least recently used one past `TABLES_KEPT` gives up its slot. */
function keepTable(id: string, t: TabledPoint): void {
  tabled.delete(id)
  tabled.set(id, t)
  if (tabled.size <= TABLES_KEPT) return
  const [oldest, old] = tabled.entries().next().value!
  tabled.delete(oldest)
  old.table.released = true
  freeSlots.push(old.table.slot)
}

/**
 * The point a 32-byte ristretto255 public key encodes, or undefined for a non-canonical or invalid
 * encoding. The same key asked for often comes back with a precomputed table.
 */
export function publicPoint(bytes: Uint8Array): RistrettoPoint | undefined {
  if (bytes.length !== 32) return undefined
  const id = String.fromCharCode(...bytes)
  const uses = countUse(id)
  const t = tabled.get(id)
  if (t) {
    keepTable(id, t)
    return t
  }
  let p = decoded.get(id)
  if (p === undefined) {
    try {
      p = Point.fromBytes(bytes)
    } catch {
      p = null
    }
  }
  touch(decoded, id, p, DECODED_KEPT)
  if (p === null) return undefined
  // tables only while the keys in use fit among those kept: 20 Aura authorities in turn would evict
  // each table before its next use, and building one costs more than a multiplication without it
  if (uses < 2 || recentCount.size > TABLES_KEPT || !hasWalker()) return p
  const withTable = new TabledPoint(p, new FixedBaseTable(p, freeSlots.pop() ?? slotsMade++))
  keepTable(id, withTable)
  return withTable
}

const utf8 = new TextEncoder()
const SUBSTRATE = utf8.encode('substrate')
const SCHNORR_SIG = utf8.encode('Schnorr-sig')
let signingContext: Transcript | undefined
function signingTranscript(): Transcript {
  const t = new Transcript('SigningContext')
  t.appendMessage('', SUBSTRATE)
  return t
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
/** A little-endian byte string's value (one BigInt parse, not one BigInt operation per byte). */
function leBigint(b: Uint8Array): bigint {
  let hex = '0x'
  for (let i = b.length - 1; i >= 0; i--) hex += HEX[b[i]]
  return BigInt(hex)
}

/**
 * Verifies an sr25519 signature in Substrate's signing context ("substrate"), as schnorrkel does:
 * the signature carries schnorrkel's marker (byte 63, bit 7), its scalar is canonical, and
 * `s·B − k·A` compresses to exactly the signature's R bytes (k: the transcript's challenge). A key that
 * encodes the identity is refused (as @scure/sr25519 refuses it). Never throws.
 */
export function sr25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32 || !(signature[63] & 0x80)) return false
  const sBytes = signature.slice(32, 64)
  sBytes[31] &= 0x7f
  const s = leBigint(sBytes)
  if (s >= L) return false
  const A = publicPoint(publicKey)
  if (!A || A.equals(Point.ZERO)) return false
  const R = signature.subarray(0, 32)
  // the transcript's fixed start (one Keccak permutation and the context's bytes) is absorbed once
  const t = (signingContext ??= signingTranscript()).clone()
  t.appendMessage('sign-bytes', message)
  t.appendMessage('proto-name', SCHNORR_SIG)
  t.appendMessage('sign:pk', publicKey)
  t.appendMessage('sign:R', R)
  const k = leBigint(t.challengeBytes('sign:c', 64)) % L
  // −k·A as (L − k)·A: the key's table serves a positive scalar
  const minusK = (L - k) % L
  const X = combinationBytes(A, minusK, Point.BASE, s)
  for (let i = 0; i < 32; i++) if (X[i] !== R[i]) return false
  return true
}
