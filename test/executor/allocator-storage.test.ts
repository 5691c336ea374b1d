// The freeing-bump allocator against the behaviour Substrate's own tests pin down
// (sc-allocator freeing_bump.rs: should_allocate_properly, should_always_align_pointers_to_multiples_of_8,
// should_increment_pointers_properly, should_free_properly, ...), and the storage overlay against a
// naive model (a map with a stack of snapshots).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareBytes, toHex } from '../../src/codec/index.ts'
import { ExecutorError, FreeingBumpAllocator, MAX_POSSIBLE_ALLOCATION, MemoryStorage, OverlayStorage } from '../../src/executor/index.ts'

function memory(size: number) {
  const dv = new DataView(new ArrayBuffer(size))
  return { size: () => size, readU64: (p: number) => dv.getBigUint64(p, true), writeU64: (p: number, v: bigint) => dv.setBigUint64(p, v, true) }
}

test('allocator: pointers, alignment, size classes and reuse as in Substrate', () => {
  const mem = memory(1 << 20)
  let a = new FreeingBumpAllocator(0)
  assert.equal(a.allocate(mem, 1), 8) // header at 0
  a = new FreeingBumpAllocator(13)
  assert.equal(a.allocate(mem, 1), 24) // heap base aligned to 16, + header
  a = new FreeingBumpAllocator(0)
  assert.equal(a.allocate(mem, 1), 8)
  assert.equal(a.allocate(mem, 9), 24) // 8-byte block + header, then a 16-byte class block
  assert.equal(a.allocate(mem, 1), 48)
  a = new FreeingBumpAllocator(0)
  const p1 = a.allocate(mem, 1)
  const p2 = a.allocate(mem, 1)
  a.deallocate(mem, p2)
  assert.equal(a.allocate(mem, 1), p2, 'a freed block of the same class is reused')
  a.deallocate(mem, p1)
  assert.equal(a.allocate(mem, 8), p1)
  // classes are powers of two from 8 bytes: 100 bytes take a 128-byte block
  a = new FreeingBumpAllocator(0)
  const q1 = a.allocate(mem, 100)
  assert.equal(a.allocate(mem, 1) - q1, 128 + 8)
})

test('allocator: too large, exhausted heap, bad frees are typed errors and poison the allocator', () => {
  const mem = memory(1 << 16)
  assert.throws(() => new FreeingBumpAllocator(0).allocate(memory(64 << 20), MAX_POSSIBLE_ALLOCATION + 1), (e: unknown) => e instanceof ExecutorError && e.code === 'OutOfMemory')
  const a = new FreeingBumpAllocator(0)
  assert.throws(() => a.allocate(mem, 1 << 16), (e: unknown) => e instanceof ExecutorError && e.code === 'OutOfMemory')
  assert.throws(() => a.allocate(mem, 1), /poisoned/)
  const b = new FreeingBumpAllocator(0)
  const p = b.allocate(mem, 8)
  b.deallocate(mem, p)
  assert.throws(() => b.deallocate(mem, p), (e: unknown) => e instanceof ExecutorError && e.code === 'BadHostCall')
})

type Op = { op: 'set'; k: number; v: number } | { op: 'clear'; k: number } | { op: 'start' } | { op: 'commit' } | { op: 'rollback' }
const keyOf = (k: number) => Uint8Array.from([k >> 4, k & 15].slice(0, 1 + (k % 2)))

test('property: overlay with nested transactions behaves like a naive snapshot model, get and next key', () => {
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), k: fc.nat(40), v: fc.nat(255) }),
    fc.record({ op: fc.constant('clear' as const), k: fc.nat(40) }),
    fc.constant({ op: 'start' as const }),
    fc.constant({ op: 'commit' as const }),
    fc.constant({ op: 'rollback' as const }),
  )
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(40), fc.nat(255)), { maxLength: 15 }), fc.array(opArb, { maxLength: 40 }), (base, ops) => {
      const backend = new Map<string, Uint8Array>(base.map(([k, v]) => [toHex(keyOf(k)), Uint8Array.from([v])]))
      const ov = new OverlayStorage(new MemoryStorage([...backend].map(([k, v]) => [Uint8Array.from(Buffer.from(k.slice(2), 'hex')), v] as const)))
      let model = new Map(backend)
      const stack: Map<string, Uint8Array>[] = []
      for (const o of ops) {
        if (o.op === 'set') {
          ov.set(keyOf(o.k), Uint8Array.from([o.v]))
          model.set(toHex(keyOf(o.k)), Uint8Array.from([o.v]))
        } else if (o.op === 'clear') {
          ov.set(keyOf(o.k), null)
          model.delete(toHex(keyOf(o.k)))
        } else if (o.op === 'start') {
          ov.startTransaction()
          stack.push(new Map(model))
        } else if (stack.length > 0) {
          const snap = stack.pop()!
          if (o.op === 'commit') ov.commitTransaction()
          else {
            ov.rollbackTransaction()
            model = snap
          }
        }
      }
      const sorted = [...model.keys()].map((h) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'))).sort(compareBytes)
      for (let k = 0; k <= 40; k++) {
        const key = keyOf(k)
        assert.deepEqual(ov.get(key), model.get(toHex(key)))
        const next = sorted.find((s) => compareBytes(s, key) > 0)
        assert.deepEqual(ov.nextKey(key), next)
      }
      assert.deepEqual(ov.nextKey(new Uint8Array()), sorted.find((s) => s.length > 0))
    }),
    { numRuns: 800 },
  )
})

test('property: MemoryStorage.withChanges equals the state rebuilt from scratch, and leaves the parent as it was', () => {
  const key = fc.uint8Array({ minLength: 0, maxLength: 3, max: 3 }) // short keys over a small alphabet: many collisions and prefixes
  const value = fc.uint8Array({ minLength: 0, maxLength: 2 })
  const change = fc.tuple(key, fc.option(value, { nil: null }))
  const child = fc.constantFrom(Uint8Array.of(1), Uint8Array.of(2))
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value)), fc.array(fc.tuple(child, key, value), { maxLength: 8 }), fc.array(change), fc.array(fc.tuple(child, change), { maxLength: 8 }), fc.boolean(), (top, kids, topChanges, kidChanges, sortFirst) => {
      const model = new Map<string, Map<string, Uint8Array>>([['', new Map()]])
      const trie = (c: string) => model.get(c) ?? model.set(c, new Map()).get(c)!
      for (const [k, v] of top) trie('').set(toHex(k), v)
      for (const [c, k, v] of kids) trie(toHex(c)).set(toHex(k), v)
      const parent = new MemoryStorage(
        [...trie('')].map(([k, v]) => [Buffer.from(k.slice(2), 'hex'), v]),
        [...model].filter(([c]) => c !== '').map(([c, m]) => [Uint8Array.from(Buffer.from(c.slice(2), 'hex')), [...m].map(([k, v]) => [Uint8Array.from(Buffer.from(k.slice(2), 'hex')), v] as const)] as const),
      )
      const before = [...parent.topEntries()].map(([k, v]) => toHex(k) + toHex(v)).join()
      // calls hand over their changes sorted; a database diff too; out of order must still work
      const order = <T extends readonly [Uint8Array, unknown]>(xs: T[]) => (sortFirst ? [...xs].sort((a, b) => compareBytes(a[0], b[0])) : xs)
      const byChild = new Map<string, [Uint8Array, Uint8Array | null][]>()
      for (const [c, ch] of kidChanges) (byChild.get(toHex(c)) ?? byChild.set(toHex(c), []).get(toHex(c))!).push(ch)
      const next = parent.withChanges({ top: order(topChanges), children: [...byChild].map(([c, changes]) => ({ childKey: Uint8Array.from(Buffer.from(c.slice(2), 'hex')), changes: order(changes) })) })
      for (const [k, v] of topChanges) v === null ? trie('').delete(toHex(k)) : trie('').set(toHex(k), v)
      for (const [c, [k, v]] of kidChanges) v === null ? trie(toHex(c)).delete(toHex(k)) : trie(toHex(c)).set(toHex(k), v)
      const sortedKeys = (m: Map<string, Uint8Array>) => [...m.keys()].sort((a, b) => compareBytes(Buffer.from(a.slice(2), 'hex'), Buffer.from(b.slice(2), 'hex')))
      assert.deepEqual([...next.topEntries()].map(([k, v]) => [toHex(k), toHex(v)]), sortedKeys(trie('')).map((k) => [k, toHex(trie('').get(k)!)]))
      assert.deepEqual(next.childKeys().map(toHex).sort(), [...model].filter(([c, m]) => c !== '' && m.size > 0).map(([c]) => c).sort())
      for (const [c, m] of model) {
        if (c === '') continue
        const ck = Uint8Array.from(Buffer.from(c.slice(2), 'hex'))
        assert.deepEqual([...next.childEntries(ck)].map(([k, v]) => [toHex(k), toHex(v)]), sortedKeys(m).map((k) => [k, toHex(m.get(k)!)]))
      }
      // reads and next keys over every short key
      const keys = sortedKeys(trie(''))
      for (const probe of [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(1, 2), Uint8Array.of(3, 3, 3), Uint8Array.of(2)]) {
        const h = toHex(probe)
        assert.equal(next.get(probe) && toHex(next.get(probe)!), trie('').has(h) ? toHex(trie('').get(h)!) : undefined)
        const expectedNext = keys.find((k) => compareBytes(Buffer.from(k.slice(2), 'hex'), probe) > 0)
        assert.equal(next.nextKey(probe) && toHex(next.nextKey(probe)!), expectedNext)
      }
      assert.equal([...parent.topEntries()].map(([k, v]) => toHex(k) + toHex(v)).join(), before, 'the parent state is unchanged')
    }),
    { numRuns: 300 },
  )
})
