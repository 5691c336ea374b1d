import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DecodeError, Reader, Writer, fromHex, toHex, scale, encodeCompact } from '../../src/codec/index.ts'

// Vectors from parity-scale-codec's documentation and tests (compact encoding table).
test('compact: the four modes, bit-exact with parity-scale-codec', () => {
  const vectors: [bigint, string][] = [
    [0n, '0x00'],
    [1n, '0x04'],
    [42n, '0xa8'],
    [63n, '0xfc'],
    [64n, '0x0101'],
    [69n, '0x1501'],
    [16383n, '0xfdff'],
    [16384n, '0x02000100'],
    [1073741823n, '0xfeffffff'],
    [1073741824n, '0x0300000040'],
    [(1n << 32n) - 1n, '0x03ffffffff'],
    [1n << 32n, '0x070000000001'],
    [100000000000000n, '0x0b00407a10f35a'],
    [(1n << 128n) - 1n, '0x33ffffffffffffffffffffffffffffffff'],
  ]
  for (const [v, hex] of vectors) {
    assert.equal(toHex(encodeCompact(v)), hex, `encode ${v}`)
    const r = new Reader(fromHex(hex))
    assert.equal(r.compact(), v, `decode ${hex}`)
    r.finish()
  }
})

test('compact: non-canonical and oversized encodings are rejected with typed errors', () => {
  for (const hex of ['0x0100', '0x02000000', '0x03ffffff3f', '0x07ffffffff00', '0x37' + 'ff'.repeat(17)]) {
    assert.throws(
      () => new Reader(fromHex(hex)).compact(),
      (e: unknown) => e instanceof DecodeError && (e.code === 'NonCanonicalCompact' || e.code === 'CompactOverflow' || e.code === 'TooShort'),
      hex,
    )
  }
})

test('fixed ints, bool, strings, Option<bool>, Result, enums match Substrate encodings', () => {
  assert.equal(toHex(scale.encode(scale.u16, 0x1234)), '0x3412')
  assert.equal(toHex(scale.encode(scale.u64, 1n)), '0x0100000000000000')
  assert.equal(toHex(scale.encode(scale.i32, -1)), '0xffffffff')
  assert.equal(toHex(scale.encode(scale.str, 'abc')), '0x0c616263')
  // Rust's Option<bool> is the generic Option (tag + bool); parity-scale-codec's OptionBool shim is one byte.
  const ob = scale.option(scale.bool)
  assert.equal(toHex(scale.encode(ob, undefined)), '0x00')
  assert.equal(toHex(scale.encode(ob, true)), '0x0101')
  assert.equal(toHex(scale.encode(ob, false)), '0x0100')
  assert.throws(() => scale.decode(ob, fromHex('0x0102')), DecodeError)
  assert.equal(toHex(scale.encode(scale.optionBool, undefined)), '0x00')
  assert.equal(toHex(scale.encode(scale.optionBool, true)), '0x01')
  assert.equal(toHex(scale.encode(scale.optionBool, false)), '0x02')
  assert.equal(scale.decode(scale.optionBool, fromHex('0x02')), false)
  assert.throws(() => scale.decode(scale.optionBool, fromHex('0x03')), DecodeError)
  assert.equal(toHex(scale.encode(scale.option(scale.u8), 5)), '0x0105')
  const res = scale.result(scale.u8, scale.str)
  assert.equal(toHex(scale.encode(res, { ok: true, value: 42 })), '0x002a')
  assert.equal(toHex(scale.encode(res, { ok: false, error: 'x' })), '0x010478')
  const e = scale.enumeration({ A: scale.unit, B: scale.u8 })
  assert.equal(toHex(scale.encode(e, { tag: 'B', value: 7 })), '0x0107')
  assert.throws(() => scale.decode(e, fromHex('0x0207')), DecodeError)
  assert.throws(() => scale.decode(scale.bool, fromHex('0x02')), DecodeError)
  assert.throws(() => scale.decode(scale.u8, fromHex('0x0100')), (err: unknown) => err instanceof DecodeError && err.code === 'TrailingBytes')
})

test('property: SCALE round trips for compact, vectors, tuples, options and results', () => {
  const c = scale.tuple(scale.compact, scale.vec(scale.u32), scale.option(scale.bool), scale.result(scale.u128, scale.bytes), scale.str, scale.optionBool, scale.array(scale.u8, 3))
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
      fc.array(fc.nat({ max: 0xffffffff })),
      fc.option(fc.boolean(), { nil: undefined }),
      fc.option(fc.boolean(), { nil: undefined }),
      fc.oneof(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ ok: true as const, value })),
        fc.uint8Array().map((error) => ({ ok: false as const, error })),
      ),
      fc.string(),
      fc.array(fc.nat({ max: 255 }), { minLength: 3, maxLength: 3 }),
      (a, b, d, d2, e, f, g) => {
        const v: [bigint, number[], boolean | undefined, scale.Result<bigint, Uint8Array>, string, boolean | undefined, number[]] = [a, b, d, e, f, d2, g]
        const bytes = scale.encode(c, v)
        assert.deepEqual(scale.decode(c, bytes), v)
      },
    ),
    { numRuns: 2000 },
  )
})

test('robustness: random and truncated inputs only ever throw DecodeError', () => {
  const c = scale.tuple(scale.compact, scale.vec(scale.tuple(scale.str, scale.option(scale.bool))), scale.result(scale.bytes, scale.u64))
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        scale.decode(c, bytes)
      } catch (e) {
        assert.ok(e instanceof DecodeError, `unexpected ${String(e)}`)
      }
    }),
    { numRuns: 5000 },
  )
  // A huge declared length must not allocate: it fails fast as TooShort.
  const w = new Writer().compact(1n << 60n)
  assert.throws(() => scale.decode(scale.vec(scale.u8), w.finish()), (e: unknown) => e instanceof DecodeError && (e.code === 'TooShort' || e.code === 'TooLarge'))
})

test('hex: long and short inputs decode identically; bad characters anywhere are typed errors', async () => {
  const { HexError } = await import('../../src/codec/index.ts')
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 255)
  assert.deepEqual(fromHex(toHex(bytes)), bytes)
  assert.deepEqual(fromHex(toHex(bytes).slice(2).toUpperCase()), bytes)
  for (const at of [2, 101, 599]) {
    const bad = toHex(bytes).split('')
    bad[at] = 'g'
    assert.throws(() => fromHex(bad.join('')), (e: unknown) => e instanceof HexError && e.code === 'BadCharacter')
  }
  assert.throws(() => fromHex('0xabc'), (e: unknown) => e instanceof HexError && e.code === 'OddLength')
})
