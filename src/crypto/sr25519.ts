// sr25519 (Schnorrkel) signature verification on public data, and the ristretto255 public keys it and
// the VRF decode. Ours rather than @scure/sr25519's `verify` (which stays for signing and key
// derivation): that one multiplies in constant time, which only secrets need, and decodes the key on
// every call. Here the arithmetic is variable-time, and keys are decoded once and kept; a key that
// signs again and again (an Aura or BABE author) gets a precomputed table, and so does the base point,
// so that `s·B − k·A` is about 120 additions and no doubling. A light client verifies one seal per block,
// long after the JIT has moved on: fewer field operations (and fewer BigInts to collect) is what makes
// that cheap. The tables are walked here rather than by @noble/curves' cached multiplication, which is
// the constant-time one (an addition for every window, real or dummy) and allocates a point per step.
// The cache changes speed only, never a result.

import { ed25519, ristretto255 } from '@noble/curves/ed25519.js'
import { Transcript } from './merlin.ts'

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
/** Keys with a precomputed table kept (~100 KiB each). */
const TABLES_KEPT = 16
/** A key gets a table once it is used twice within this many uses of any key (300 BABE validators in turn never are). */
const RECENT_USES = 32

type EdwardsPoint = InstanceType<typeof ed25519.Point>
/** Field product (operands in [0, P)). */
const mul = (a: bigint, b: bigint): bigint => (a * b) % P

/**
 * Multiples of one point for a signed base-16 walk: for each of the 64 nibbles of a scalar, j·16^i·Q
 * (j = 1…8) in affine "cached" form (y+x, y−x, 2d·x·y), so one step is a mixed addition (7 products).
 */
class FixedBaseTable {
  private readonly ypx: bigint[] = []
  private readonly ymx: bigint[] = []
  private readonly xy2d: bigint[] = []

  constructor(q: NoblePoint) {
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
    points.forEach((p, n) => {
      const x = mul(p.X, zInv[n])
      const y = mul(p.Y, zInv[n])
      this.ypx.push((y + x) % P)
      this.ymx.push((y - x + P) % P)
      this.xy2d.push(mul(mul(x, y), D2))
    })
  }

  /** `scalar·Q` added to the extended point `acc` (modified in place); scalar < 2^253. */
  addMultiple(acc: Extended, scalar: bigint): void {
    let carry = 0
    for (let i = 0; i < 64; i++) {
      let d = Number(scalar & 15n) + carry
      scalar >>= 4n
      carry = d > 8 ? 1 : 0
      if (carry) d -= 16
      if (d === 0) continue
      const n = i * 8 + Math.abs(d) - 1
      // adding −Q swaps y+x with y−x and negates 2d·x·y
      let ymx = acc.Y - acc.X
      if (ymx < 0n) ymx += P
      let ypx = acc.Y + acc.X
      if (ypx >= P) ypx -= P
      const A = mul(ymx, d > 0 ? this.ymx[n] : this.ypx[n])
      const B = mul(ypx, d > 0 ? this.ypx[n] : this.ymx[n])
      const C = mul(acc.T, this.xy2d[n])
      let Dz = acc.Z << 1n
      if (Dz >= P) Dz -= P
      let E = B - A
      if (E < 0n) E += P
      let H = B + A
      if (H >= P) H -= P
      let F = d > 0 ? Dz - C : Dz + C
      let G = d > 0 ? Dz + C : Dz - C
      if (F < 0n) F += P
      else if (F >= P) F -= P
      if (G < 0n) G += P
      else if (G >= P) G -= P
      acc.X = mul(E, F)
      acc.Y = mul(G, H)
      acc.T = mul(E, H)
      acc.Z = mul(F, G)
    }
  }
}

/** Extended twisted-Edwards coordinates, mutable while a walk adds into them. */
interface Extended {
  X: bigint
  Y: bigint
  Z: bigint
  T: bigint
}

let baseTable: FixedBaseTable | undefined
const baseTableOf = (): FixedBaseTable => (baseTable ??= new FixedBaseTable(Point.BASE))

/** Σ scalar·Q over tabled points, as a ristretto point: every walk adds into one accumulator. */
function walk(...terms: [FixedBaseTable, bigint][]): NoblePoint {
  const acc: Extended = { X: 0n, Y: 1n, Z: 1n, T: 0n }
  for (const [table, scalar] of terms) table.addMultiple(acc, scalar)
  return new Point(new ed25519.Point(acc.X, acc.Y, acc.Z, acc.T))
}

function publicScalar(s: bigint): bigint {
  if (s < 0n || s >= L) throw new RangeError('invalid scalar: expected 0 <= sc < curve.n')
  return s
}

/** s·B for a public scalar 0 ≤ s < L, from the base point's table (variable time). */
export function baseMultiple(s: bigint): RistrettoPoint {
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
    touch(tabled, id, t, TABLES_KEPT)
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
  if (uses < 2 || recentCount.size > TABLES_KEPT) return p
  const withTable = new TabledPoint(p, new FixedBaseTable(p))
  touch(tabled, id, withTable, TABLES_KEPT)
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

function leBigint(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i])
  return v
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
  const X = (A instanceof TabledPoint ? walk([baseTableOf(), s], [A.table, minusK]) : A.multiplyUnsafe(minusK).add(baseMultiple(s))).toBytes()
  for (let i = 0; i < 32; i++) if (X[i] !== R[i]) return false
  return true
}
