// sr25519 (Schnorrkel) signature verification on public data, and the ristretto255 public keys it and
// the VRF decode. Ours rather than @scure/sr25519's `verify` (which stays for signing and key
// derivation): that one multiplies in constant time, which only secrets need, and decodes the key on
// every call. Here the arithmetic is variable-time, and keys are decoded once and kept; a key that
// signs again and again (an Aura or BABE author) gets a precomputed table, so multiplying by it is
// additions only. A light client verifies one seal per block, long after the JIT has moved on:
// fewer field operations is what makes that cheap (measured 3.3x fewer in V8's interpreter).
// The cache changes speed only, never a result.

import { ristretto255 } from '@noble/curves/ed25519.js'
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

/** Decoded keys kept (most recently used); an invalid encoding is remembered as such. */
const DECODED_KEPT = 1024
/** Keys with a precomputed table kept (118 KiB each at window 4). */
const TABLES_KEPT = 16
/** A key gets a table once it is used twice within this many uses of any key (300 BABE validators in turn never are). */
const RECENT_USES = 32
const WINDOW = 4

const decoded = new Map<string, NoblePoint | null>()
const tabled = new Map<string, NoblePoint>()
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
  // a point object of its own for the table (tables hang off the point, and go with it when evicted)
  const withTable = Point.fromBytes(bytes).precompute(WINDOW, true)
  touch(tabled, id, withTable, TABLES_KEPT)
  return withTable
}

const utf8 = new TextEncoder()
const SUBSTRATE = utf8.encode('substrate')
const SCHNORR_SIG = utf8.encode('Schnorr-sig')

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
  const t = new Transcript('SigningContext')
  t.appendMessage('', SUBSTRATE)
  t.appendMessage('sign-bytes', message)
  t.appendMessage('proto-name', SCHNORR_SIG)
  t.appendMessage('sign:pk', publicKey)
  t.appendMessage('sign:R', R)
  const k = leBigint(t.challengeBytes('sign:c', 64)) % L
  // −k·A as (L − k)·A: the key's table serves a positive scalar
  const X = A.multiplyUnsafe((L - k) % L).add(Point.BASE.multiplyUnsafe(s)).toBytes()
  for (let i = 0; i < 32; i++) if (X[i] !== R[i]) return false
  return true
}
