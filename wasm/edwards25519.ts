// Edwards25519 point arithmetic for sr25519 verification, compiled to WebAssembly by AssemblyScript
// (`npm run build:wasm` writes src/crypto/edwards25519-wasm.ts). JavaScript's BigInt arithmetic costs a
// light client ~2 ms a seal when it runs once a block, cold (allocation and unoptimized code); these
// loops cost the same cold as warm. Only public data passes here (variable time is fine).
//
// A field element (mod p = 2^255 − 19) is 10 limbs of 26 and 25 bits alternately, one i64 each, kept
// non-negative and carried after every operation (each limb below 2^26, limb 1 a little above 2^25 at
// most), so a product's column sums stay below 2^61. Points are extended coordinates (X, Y, Z, T); a
// table holds, for each of the 64 base-16 digits of a scalar, j·16^i·Q for j = 1…8 in affine "cached"
// form (y+x, y−x, 2d·x·y): adding one costs 7 products and no doubling. JavaScript writes the tables and
// the scalars' signed digits into memory, calls `walk` (or `combine`, for two points without tables:
// the VRF's), then `encode` for the result's ristretto255 encoding (RFC 9496 §4.3.2).

const LIMBS = 10
const FE = LIMBS * 8 // bytes in a field element
/** The accumulator (X, Y, Z, T) `walk` adds into. */
export const ACC: usize = 1024
const X: usize = ACC
const Y: usize = ACC + FE
const Z: usize = ACC + 2 * FE
const T: usize = ACC + 3 * FE
// scratch
const YMX: usize = 1536
const YPX: usize = YMX + FE
const A: usize = YMX + 2 * FE
const B: usize = YMX + 3 * FE
const C: usize = YMX + 4 * FE
const DZ: usize = YMX + 5 * FE
const E: usize = YMX + 6 * FE
const H: usize = YMX + 7 * FE
const F: usize = YMX + 8 * FE
const G: usize = YMX + 9 * FE
const PROD: usize = YMX + 10 * FE
/** Scratch of the encoding. */
const S0: usize = 2560
/** Constants JavaScript writes before the first call: √−1 and 1/√(a−d) (ristretto255's), and 2d. */
export const SQRT_M1: usize = 7680
export const INVSQRT_A_MINUS_D: usize = SQRT_M1 + FE
export const D2: usize = SQRT_M1 + 2 * FE
/** The 32 bytes `encode` writes. */
export const ENCODED: usize = 7936
/** The signed base-16 digits (64 each, −8…8) of the scalars of the first and second term. */
export const DIGITS_A: usize = 8192
export const DIGITS_B: usize = 8256
/** Two points (X, Y, Z, T) `combine` multiplies, and their multiples 1…8 (projective cached form). */
export const POINT_A: usize = 8448
export const POINT_B: usize = POINT_A + 4 * FE
const MULTIPLES_A: usize = POINT_A + 8 * FE
const MULTIPLES_B: usize = MULTIPLES_A + 32 * FE
/** Where tables start, and the bytes of one: 64 digits × 8 multiples × 3 field elements. */
export const TABLES: usize = 65536
export const TABLE_BYTES: usize = 64 * 8 * 3 * FE

@inline function ld(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3))
}
@inline function st(p: usize, i: i32, v: i64): void {
  store<i64>(p + (<usize>i << 3), v)
}

/** Carries column sums h0…h9 into `o` (limbs back under 2^26 / 2^25; the carry out of limb 9, weight 2^255, folded in as ×19). */
@inline function carryInto(o: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  const v0 = h0
  const c0 = v0 >> 26
  const v1 = h1 + c0
  const c1 = v1 >> 25
  const v2 = h2 + c1
  const c2 = v2 >> 26
  const v3 = h3 + c2
  const c3 = v3 >> 25
  const v4 = h4 + c3
  const c4 = v4 >> 26
  const v5 = h5 + c4
  const c5 = v5 >> 25
  const v6 = h6 + c5
  const c6 = v6 >> 26
  const v7 = h7 + c6
  const c7 = v7 >> 25
  const v8 = h8 + c7
  const c8 = v8 >> 26
  const v9 = h9 + c8
  const c9 = v9 >> 25
  const w0 = (v0 & 0x3ffffff) + 19 * c9
  st(o, 0, w0 & 0x3ffffff)
  st(o, 1, (v1 & 0x1ffffff) + (w0 >> 26))
  st(o, 2, v2 & 0x3ffffff)
  st(o, 3, v3 & 0x1ffffff)
  st(o, 4, v4 & 0x3ffffff)
  st(o, 5, v5 & 0x1ffffff)
  st(o, 6, v6 & 0x3ffffff)
  st(o, 7, v7 & 0x1ffffff)
  st(o, 8, v8 & 0x3ffffff)
  st(o, 9, v9 & 0x1ffffff)
}

/** Carries the column sums at `t` into `o`. */
function carry(o: usize, t: usize): void {
  carryInto(o, ld(t, 0), ld(t, 1), ld(t, 2), ld(t, 3), ld(t, 4), ld(t, 5), ld(t, 6), ld(t, 7), ld(t, 8), ld(t, 9))
}

/** o = a·b (o may be a or b): the 100 limb products unrolled, the columns past limb 9 folded in as ×19. */
function mul(o: usize, a: usize, b: usize): void {
  const a0 = ld(a, 0)
  const a1 = ld(a, 1)
  const a2 = ld(a, 2)
  const a3 = ld(a, 3)
  const a4 = ld(a, 4)
  const a5 = ld(a, 5)
  const a6 = ld(a, 6)
  const a7 = ld(a, 7)
  const a8 = ld(a, 8)
  const a9 = ld(a, 9)
  const d1 = a1 << 1
  const d3 = a3 << 1
  const d5 = a5 << 1
  const d7 = a7 << 1
  const d9 = a9 << 1
  const b0 = ld(b, 0)
  const b1 = ld(b, 1)
  const b2 = ld(b, 2)
  const b3 = ld(b, 3)
  const b4 = ld(b, 4)
  const b5 = ld(b, 5)
  const b6 = ld(b, 6)
  const b7 = ld(b, 7)
  const b8 = ld(b, 8)
  const b9 = ld(b, 9)
  const n1 = 19 * b1
  const n2 = 19 * b2
  const n3 = 19 * b3
  const n4 = 19 * b4
  const n5 = 19 * b5
  const n6 = 19 * b6
  const n7 = 19 * b7
  const n8 = 19 * b8
  const n9 = 19 * b9
  const h0 = a0 * b0 + d1 * n9 + a2 * n8 + d3 * n7 + a4 * n6 + d5 * n5 + a6 * n4 + d7 * n3 + a8 * n2 + d9 * n1
  const h1 = a0 * b1 + a1 * b0 + a2 * n9 + a3 * n8 + a4 * n7 + a5 * n6 + a6 * n5 + a7 * n4 + a8 * n3 + a9 * n2
  const h2 = a0 * b2 + d1 * b1 + a2 * b0 + d3 * n9 + a4 * n8 + d5 * n7 + a6 * n6 + d7 * n5 + a8 * n4 + d9 * n3
  const h3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * n9 + a5 * n8 + a6 * n7 + a7 * n6 + a8 * n5 + a9 * n4
  const h4 = a0 * b4 + d1 * b3 + a2 * b2 + d3 * b1 + a4 * b0 + d5 * n9 + a6 * n8 + d7 * n7 + a8 * n6 + d9 * n5
  const h5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + a6 * n9 + a7 * n8 + a8 * n7 + a9 * n6
  const h6 = a0 * b6 + d1 * b5 + a2 * b4 + d3 * b3 + a4 * b2 + d5 * b1 + a6 * b0 + d7 * n9 + a8 * n8 + d9 * n7
  const h7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 + a8 * n9 + a9 * n8
  const h8 = a0 * b8 + d1 * b7 + a2 * b6 + d3 * b5 + a4 * b4 + d5 * b3 + a6 * b2 + d7 * b1 + a8 * b0 + d9 * n9
  const h9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0
  carryInto(o, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

function add(o: usize, a: usize, b: usize): void {
  for (let i = 0; i < LIMBS; i++) st(PROD, i, ld(a, i) + ld(b, i))
  carry(o, PROD)
}

/** o = a − b, as a − b + 2p so that no limb goes negative. */
function sub(o: usize, a: usize, b: usize): void {
  for (let i = 0; i < LIMBS; i++) {
    const twoP: i64 = i == 0 ? 0x7ffffda : i & 1 ? 0x3fffffe : 0x7fffffe
    st(PROD, i, ld(a, i) - ld(b, i) + twoP)
  }
  carry(o, PROD)
}

/**
 * Adds the point at `q` in cached form (y+x, y−x, 2d·x·y; projective: (Y+X, Y−X, 2d·T, 2Z) when
 * `projective`), negated when `negative`, into the accumulator.
 */
function addCached(q: usize, negative: bool, projective: bool = false): void {
  const qypx = q
  const qymx = q + FE
  const qxy2d = q + 2 * FE
  sub(YMX, Y, X)
  add(YPX, Y, X)
  // adding −Q swaps y+x with y−x and negates 2d·x·y
  mul(A, YMX, negative ? qypx : qymx)
  mul(B, YPX, negative ? qymx : qypx)
  mul(C, T, qxy2d)
  if (projective) mul(DZ, Z, q + 3 * FE)
  else add(DZ, Z, Z)
  sub(E, B, A)
  add(H, B, A)
  if (negative) {
    add(F, DZ, C)
    sub(G, DZ, C)
  } else {
    sub(F, DZ, C)
    add(G, DZ, C)
  }
  mul(X, E, F)
  mul(Y, G, H)
  mul(T, E, H)
  mul(Z, F, G)
}

/**
 * Doubles the accumulator (a = −1: A = X², B = Y², C = 2Z², then with H = A + B, G = B − A, F = C − G,
 * E = (X+Y)² − H: (E·F, G·H, F·G, E·H), the usual formula's four coordinates all negated, the same point).
 */
function double(): void {
  mul(A, X, X)
  mul(B, Y, Y)
  mul(C, Z, Z)
  add(C, C, C)
  add(H, A, B)
  sub(G, B, A)
  sub(F, C, G)
  add(E, X, Y)
  mul(E, E, E)
  sub(E, E, H)
  mul(X, E, F)
  mul(Y, G, H)
  mul(T, E, H)
  mul(Z, F, G)
}

/** The accumulator in cached form at `o` (Y+X, Y−X, 2d·T, 2Z). */
function cacheAcc(o: usize): void {
  add(o, Y, X)
  sub(o + FE, Y, X)
  mul(o + 2 * FE, T, D2)
  add(o + 3 * FE, Z, Z)
}

function setIdentity(): void {
  for (let i = 0; i < LIMBS; i++) {
    st(X, i, 0)
    st(Y, i, i == 0 ? 1 : 0)
    st(Z, i, i == 0 ? 1 : 0)
    st(T, i, 0)
  }
}

/** The multiples 1…8 of the point at `p` in cached form at `o` (uses the accumulator). */
function multiples(o: usize, p: usize): void {
  memory.copy(ACC, p, 4 * FE)
  cacheAcc(o)
  double()
  cacheAcc(o + 4 * FE)
  for (let j = 2; j < 8; j++) {
    addCached(o, false, true)
    cacheAcc(o + <usize>j * 4 * FE)
  }
}

/**
 * The accumulator set to a·POINT_A + b·POINT_B, the scalars' signed base-16 digits at DIGITS_A and
 * DIGITS_B: 4 doublings per digit, an addition per non-zero digit (a variable-base double multiplication,
 * for points without a table).
 */
export function combine(): void {
  multiples(MULTIPLES_A, POINT_A)
  multiples(MULTIPLES_B, POINT_B)
  setIdentity()
  for (let i = 63; i >= 0; i--) {
    if (i != 63) {
      double()
      double()
      double()
      double()
    }
    const a = <i32>load<i8>(DIGITS_A + <usize>i)
    if (a != 0) addCached(MULTIPLES_A + <usize>((a < 0 ? -a : a) - 1) * 4 * FE, a < 0, true)
    const b = <i32>load<i8>(DIGITS_B + <usize>i)
    if (b != 0) addCached(MULTIPLES_B + <usize>((b < 0 ? -b : b) - 1) * 4 * FE, b < 0, true)
  }
}

function walkOne(table: usize, digits: usize): void {
  for (let i = 0; i < 64; i++) {
    const d = <i32>load<i8>(digits + <usize>i)
    if (d == 0) continue
    const n = i * 8 + (d < 0 ? -d : d) - 1
    addCached(table + <usize>n * 3 * FE, d < 0)
  }
}

/**
 * The accumulator set to the identity, then Σ digitsA·tableA (+ Σ digitsB·tableB when `tableB` is not 0):
 * the scalars' signed base-16 digits at DIGITS_A and DIGITS_B, the tables' addresses given.
 */
export function walk(tableA: usize, tableB: usize): void {
  setIdentity()
  walkOne(tableA, DIGITS_A)
  if (tableB != 0) walkOne(tableB, DIGITS_B)
}

// ---- ristretto255 encoding of the accumulator

@inline function tmp(k: i32): usize {
  return S0 + <usize>k * FE
}

function copy(o: usize, a: usize): void {
  memory.copy(o, a, FE)
}

function setSmall(o: usize, v: i64): void {
  for (let i = 0; i < LIMBS; i++) st(o, i, i == 0 ? v : 0)
}

/** o = x^(2^252 − 3) (x^((p−5)/8)), from x^(2^k − 1) for growing k: e(k+m) = e(k)^(2^m) · e(m). */
function pow22523(o: usize, x: usize): void {
  const e1 = x
  const e2 = tmp(10)
  const e4 = tmp(11)
  const e5 = tmp(12)
  const e10 = tmp(13)
  const e20 = tmp(14)
  const e50 = tmp(15)
  const e100 = tmp(16)
  const t = tmp(17)
  mul(e2, e1, e1)
  mul(e2, e2, e1) // x^3 = e(2)
  squareTimes(e4, e2, 2)
  mul(e4, e4, e2) // e(4)
  mul(e5, e4, e4)
  mul(e5, e5, e1) // e(5)
  squareTimes(e10, e5, 5)
  mul(e10, e10, e5) // e(10)
  squareTimes(e20, e10, 10)
  mul(e20, e20, e10) // e(20)
  squareTimes(t, e20, 20)
  mul(t, t, e20) // e(40)
  squareTimes(e50, t, 10)
  mul(e50, e50, e10) // e(50)
  squareTimes(e100, e50, 50)
  mul(e100, e100, e50) // e(100)
  squareTimes(t, e100, 100)
  mul(t, t, e100) // e(200)
  squareTimes(t, t, 50)
  mul(t, t, e50) // e(250)
  squareTimes(t, t, 2)
  mul(o, t, x) // e(250)·4 + 1 = 2^252 − 3
}

function squareTimes(o: usize, a: usize, n: i32): void {
  mul(o, a, a)
  for (let i = 1; i < n; i++) mul(o, o, o)
}

/** Carries the limbs at `a`, plus `c` into limb 0, into `o`, each limb back in range; returns the carry out of limb 9. */
function propagate(o: usize, a: usize, c: i64): i64 {
  for (let i = 0; i < LIMBS; i++) {
    const bits: i64 = i & 1 ? 25 : 26
    const v = ld(a, i) + c
    c = v >> bits
    st(o, i, v & ((<i64>1 << bits) - 1))
  }
  return c
}

/** o = a reduced to its canonical value (every limb in range, the whole below p). */
function canonical(o: usize, a: usize): void {
  copy(o, a)
  // three passes, the carry out of limb 9 folded back as ×19 each time: below 2^255, every limb in range
  for (let round = 0; round < 3; round++) st(o, 0, ld(o, 0) + 19 * propagate(o, o, 0))
  // o < 2^255: it is at least p exactly when o + 19 reaches 2^255; then o − p is o + 19 − 2^255
  if (propagate(PROD, o, 19) != 0) copy(o, PROD)
}

@inline function isNegative(a: usize): bool {
  canonical(tmp(19), a)
  return (ld(tmp(19), 0) & 1) == 1
}

function equal(a: usize, b: usize): bool {
  canonical(tmp(18), a)
  canonical(tmp(19), b)
  for (let i = 0; i < LIMBS; i++) if (ld(tmp(18), i) != ld(tmp(19), i)) return false
  return true
}

function negate(o: usize, a: usize): void {
  setSmall(tmp(18), 0)
  sub(o, tmp(18), a)
}

/** o = |a|: a or −a, whichever is non-negative (even). */
function abs(o: usize, a: usize): void {
  if (isNegative(a)) negate(o, a)
  else copy(o, a)
}

/** o = 1/√v, the non-negative root (SQRT_RATIO_M1(1, v) of RFC 9496, its root only). */
function invSqrt(o: usize, v: usize): void {
  const v3 = tmp(0)
  const v7 = tmp(1)
  const r = tmp(2)
  const check = tmp(3)
  const minusOne = tmp(4)
  const t = tmp(5)
  mul(v3, v, v)
  mul(v3, v3, v) // v³
  mul(v7, v3, v3)
  mul(v7, v7, v) // v⁷
  pow22523(r, v7)
  mul(r, r, v3) // r = v³·(v⁷)^((p−5)/8)
  mul(check, r, r)
  mul(check, check, v)
  setSmall(t, 1)
  negate(minusOne, t)
  // flipped sign (check = −1) or flipped by i (check = −√−1): the root is r·√−1
  mul(t, minusOne, SQRT_M1)
  if (equal(check, minusOne) || equal(check, t)) mul(r, r, SQRT_M1)
  abs(o, r)
}

/** Writes the ristretto255 encoding of the accumulator's point at ENCODED (32 bytes). */
export function encode(): void {
  const u1 = tmp(6)
  const u2 = tmp(7)
  const t = tmp(8)
  const inv = tmp(9)
  const den1 = tmp(10)
  const den2 = tmp(11)
  const zInv = tmp(12)
  const x = tmp(13)
  const y = tmp(14)
  const denInv = tmp(15)
  add(t, Z, Y)
  sub(u1, Z, Y)
  mul(u1, u1, t) // (Z+Y)(Z−Y)
  mul(u2, X, Y)
  mul(t, u2, u2)
  mul(t, t, u1)
  invSqrt(inv, t)
  // tmp(10…17) are pow22523's: den1 and the rest are only written from here on
  mul(den1, inv, u1)
  mul(den2, inv, u2)
  mul(zInv, den1, den2)
  mul(zInv, zInv, T)
  mul(t, T, zInv)
  if (isNegative(t)) {
    mul(x, Y, SQRT_M1)
    mul(y, X, SQRT_M1)
    mul(denInv, den1, INVSQRT_A_MINUS_D)
  } else {
    copy(x, X)
    copy(y, Y)
    copy(denInv, den2)
  }
  mul(t, x, zInv)
  if (isNegative(t)) negate(y, y)
  sub(t, Z, y)
  mul(t, denInv, t)
  abs(t, t)
  canonical(t, t)
  // 255 bits, little-endian
  let acc: u64 = 0
  let have: i32 = 0
  let at: usize = ENCODED
  for (let i = 0; i < LIMBS; i++) {
    acc |= <u64>ld(t, i) << <u64>have
    have += i & 1 ? 25 : 26
    while (have >= 8) {
      store<u8>(at++, <u8>(acc & 0xff))
      acc >>= 8
      have -= 8
    }
  }
  store<u8>(at, <u8>acc)
}
