// Our sr25519 verification (variable-time, keys kept with tables) judged against @scure/sr25519's own
// `verify`, an independent implementation: the same answer for valid signatures and for every kind of
// damage (R, s, marker, message, key, s ≥ L, invalid key encodings), over keys seen once and keys seen
// often enough to get a precomputed table, and after those tables are evicted; the table walks against
// @noble/curves' own multiplication. Real BABE and Aura seals are checked by the header-verification
// tests (Westend's first blocks, the devnets).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { toHex } from '../../src/codec/index.ts'
import * as scure from '@scure/sr25519'
import { ristretto255 } from '@noble/curves/ed25519.js'
import { baseMultiple, combinationBytes, publicPoint, sr25519Verify } from '../../src/crypto/sr25519.ts'

const L = ristretto255.Point.Fn.ORDER
const reference = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean => {
  try {
    return scure.verify(msg, sig, pub)
  } catch {
    return false
  }
}
const secrets = Array.from({ length: 40 }, (_, i) => scure.secretFromSeed(new Uint8Array(32).fill(i + 1)))
const publics = secrets.map((s) => scure.getPublicKey(s))

type Damage = 'none' | 'R' | 's' | 'marker' | 'message' | 'key' | 'sTooBig' | 'badKey'
function damaged(kind: Damage, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, bit: number): [Uint8Array, Uint8Array, Uint8Array] {
  const s = sig.slice()
  const m: Uint8Array = msg.slice()
  let p: Uint8Array = pub.slice()
  if (kind === 'R') s[bit % 32] ^= 1 << (bit % 8)
  if (kind === 's') s[32 + (bit % 31)] ^= 1 << (bit % 8)
  if (kind === 'marker') s[63] &= 0x7f
  if (kind === 'message') m.length ? (m[bit % m.length] ^= 1) : (p = pub)
  if (kind === 'key') p = publics[(publics.findIndex((x) => x === pub) + 1) % publics.length]
  if (kind === 'sTooBig') {
    // s + L still fits 255 bits: the same point, a non-canonical scalar, refused by both
    let v = 0n
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(i === 31 ? s[63] & 0x7f : s[32 + i])
    v += L
    for (let i = 0; i < 32; i++, v >>= 8n) s[32 + i] = Number(v & 0xffn)
    s[63] |= 0x80
  }
  if (kind === 'badKey') {
    p = pub.slice()
    p[0] |= 1 // a negative field element: never a canonical ristretto255 encoding
  }
  if (kind === 'message' && m.length === 0) return [s, new Uint8Array([1]), p]
  return [s, m, p]
}

test('sr25519Verify agrees with @scure/sr25519 on valid and damaged signatures, keys seen once or often', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: publics.length - 1 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom<Damage>('none', 'none', 'R', 's', 'marker', 'message', 'key', 'sTooBig', 'badKey'),
      fc.nat(),
      (who, msg, kind, bit) => {
        // half the time one of three keys: those are used often enough to get tables
        const i = bit % 2 ? who % 3 : who
        const sig = scure.sign(secrets[i], msg)
        const [s, m, p] = damaged(kind, sig, msg, publics[i], bit)
        const expected = reference(s, m, p)
        assert.equal(sr25519Verify(s, m, p), expected, `${kind} key ${i}`)
        if (kind === 'none') assert.equal(expected, true)
      },
    ),
    { numRuns: 400 },
  )
})

test('tables go to keys in a small working set only: 20 keys in turn get none (no table built to be evicted)', () => {
  // keys no other test uses (a key the property test used twice may already hold a table)
  const fresh = Array.from({ length: 21 }, (_, i) => scure.getPublicKey(scure.secretFromSeed(new Uint8Array(32).fill(100 + i))))
  const keys = fresh.slice(0, 20)
  const first = keys.map((k) => publicPoint(k)!)
  for (let round = 0; round < 3; round++) keys.forEach((k, i) => assert.equal(publicPoint(k), first[i], `round ${round}: the decoded point, no table`))
  // one key alone for a while: it gets its table (a point object of its own), then keeps it
  const lone = fresh[20]
  const decoded = publicPoint(lone)!
  for (let n = 0; n < 40; n++) publicPoint(lone)
  const tabled = publicPoint(lone)!
  assert.notEqual(tabled, decoded)
  assert.ok(tabled.equals(decoded))
  assert.equal(publicPoint(lone), tabled)
})

test('a key used again and again is served from one point with a table; invalid and identity keys are refused', () => {
  const pub = publics[5]
  const first = publicPoint(pub)!
  const second = publicPoint(pub)!
  assert.ok(first.equals(second))
  assert.equal(publicPoint(pub), second, 'the third use returns the tabled point itself')
  const msg = new Uint8Array([1, 2, 3])
  const sig = scure.sign(secrets[5], msg)
  for (let n = 0; n < 5; n++) assert.equal(sr25519Verify(sig, msg, pub), true)
  // 20 other keys in turn evict its table; it still verifies
  for (let j = 10; j < 30; j++) for (let n = 0; n < 2; n++) assert.equal(sr25519Verify(scure.sign(secrets[j], msg), msg, publics[j]), true)
  assert.equal(sr25519Verify(sig, msg, pub), true)
  const bad = pub.slice()
  bad[0] |= 1
  assert.equal(publicPoint(bad), undefined)
  assert.equal(publicPoint(bad), undefined, 'an invalid encoding stays invalid from the cache')
  // the identity (all-zero encoding): anyone could "sign" for it with R = s·B; refused like scure does
  const zeroKey = new Uint8Array(32)
  const forged = new Uint8Array(64)
  forged.set(ristretto255.Point.BASE.toBytes())
  forged[32] = 1
  forged[63] |= 0x80
  assert.equal(reference(forged, msg, zeroKey), false)
  assert.equal(sr25519Verify(forged, msg, zeroKey), false)
})

test('table walks equal @noble/curves multiplication: the base point and a tabled key, random and edge scalars', () => {
  const pub = publics[7]
  for (let n = 0; n < 3; n++) publicPoint(pub)
  const tabled = publicPoint(pub)!
  const plain = ristretto255.Point.fromBytes(pub)
  assert.notEqual(tabled, plain)
  // nibbles of 8 and 9 are where a signed digit turns negative and carries; L − 1 has the top nibble set
  const edges = [0n, 1n, 8n, 9n, 15n, 16n, 0x88888888n, 0x99999999n, (1n << 252n) - 1n, 1n << 252n, L - 1n, L - 8n]
  const check = (k: bigint) => {
    assert.equal(toHex(baseMultiple(k).toBytes()), toHex(ristretto255.Point.BASE.multiplyUnsafe(k).toBytes()), `s·B, s = ${k}`)
    assert.equal(toHex(tabled.multiplyUnsafe(k).toBytes()), toHex(plain.multiplyUnsafe(k).toBytes()), `k·A, k = ${k}`)
  }
  edges.forEach(check)
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: L - 1n }), check), { numRuns: 200 })
  assert.throws(() => baseMultiple(L), RangeError)
  assert.throws(() => tabled.multiplyUnsafe(-1n), RangeError)
})

test('a point kept after its table was evicted still multiplies right: its table memory went to another key', () => {
  // keys no other test uses; each used alone for a while gets a table, the 17th evicts the first's
  const keys = Array.from({ length: 18 }, (_, i) => scure.getPublicKey(scure.secretFromSeed(new Uint8Array(32).fill(150 + i))))
  const held = keys.map((k) => {
    for (let n = 0; n < 40; n++) publicPoint(k)
    return publicPoint(k)!
  })
  const k = 0x1234567890abcdef1234567890abcdef1234567890abcdefn
  for (const [i, point] of held.entries()) {
    const expected = ristretto255.Point.fromBytes(keys[i]).multiplyUnsafe(k).toBytes()
    assert.equal(toHex(point.multiplyUnsafe(k).toBytes()), toHex(expected), `key ${i}: k·A from the point held since its table was built`)
  }
  // and the keys verify, the evicted ones on the way back in
  const msg = new Uint8Array([9, 9])
  keys.forEach((pub, i) => assert.equal(sr25519Verify(scure.sign(scure.secretFromSeed(new Uint8Array(32).fill(150 + i)), msg), msg, pub), true, `key ${i}`))
})

test('a·P + b·Q in WebAssembly equals @noble/curves: points without tables (doubling and adding) and a key with one', () => {
  const edges = [0n, 1n, 8n, 9n, 15n, 16n, 0x88888888n, (1n << 252n) - 1n, L - 1n, L - 8n]
  const reference = (p: InstanceType<typeof ristretto255.Point>, a: bigint, q: InstanceType<typeof ristretto255.Point>, b: bigint) =>
    toHex(p.multiplyUnsafe(a).add(q.multiplyUnsafe(b)).toBytes())
  const point = (k: bigint) => ristretto255.Point.BASE.multiplyUnsafe(k)
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: L - 1n }), fc.bigInt({ min: 1n, max: L - 1n }), fc.bigInt({ min: 0n, max: L - 1n }), fc.bigInt({ min: 0n, max: L - 1n }), (kp, kq, a, b) => {
      const [p, q] = [point(kp), point(kq)]
      assert.equal(toHex(combinationBytes(p, a, q, b)), reference(p, a, q, b))
    }),
    { numRuns: 60 },
  )
  const [p, q] = [point(12345n), point(67890n)]
  for (const a of edges) for (const b of [0n, 1n, L - 1n]) assert.equal(toHex(combinationBytes(p, a, q, b)), reference(p, a, q, b), `a = ${a}, b = ${b}`)
  assert.equal(toHex(combinationBytes(p, 0n, q, 0n)), toHex(ristretto255.Point.ZERO.toBytes()), 'the identity')
  // a key with a table and the base point: the table walk
  const pub = publics[9]
  for (let n = 0; n < 3; n++) publicPoint(pub)
  const tabled = publicPoint(pub)!
  const plain = ristretto255.Point.fromBytes(pub)
  for (const a of edges) assert.equal(toHex(combinationBytes(tabled, a, ristretto255.Point.BASE, L - 1n - a)), reference(plain, a, ristretto255.Point.BASE, L - 1n - a))
  assert.throws(() => combinationBytes(p, L, q, 0n), RangeError)
})
