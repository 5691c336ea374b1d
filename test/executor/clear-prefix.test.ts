// `clear_prefix` / `kill_child_storage` with limits and cursors, against the semantics of Substrate's
// sp-state-machine `Ext::limit_remove_from_backend` (read from its source; the expected numbers below
// are worked out from that code, not from ours): the overlay's keys under the prefix are cleared first
// (`unique` counts those that held a value), then backend keys from the cursor *inclusive*, the limit
// counting backend keys visited (`loops`), `backend` counting those actually deleted (not already
// deleted in the overlay); the cursor returned is the next backend key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { MemoryStorage, OverlayStorage, type StorageBackend } from '../../src/executor/index.ts'

const k = (...b: number[]) => Uint8Array.from(b)
const P = 0xaa
const five = [1, 2, 3, 4, 5].map((i) => [k(P, i), k(i)] as [Uint8Array, Uint8Array])

test('clear_prefix with a cursor resumes AT the cursor: 5 keys, limit 2, three calls remove all five', () => {
  const st = new OverlayStorage(new MemoryStorage([...five, [k(0xbb), k(9)]]))
  const r1 = st.clearPrefix(k(P), 2, undefined)
  assert.deepEqual({ ...r1, cursor: r1.cursor && toHex(r1.cursor) }, { cursor: toHex(k(P, 3)), backend: 2, overlay: 0, loops: 2 })
  const r2 = st.clearPrefix(k(P), 2, r1.cursor)
  assert.deepEqual({ ...r2, cursor: r2.cursor && toHex(r2.cursor) }, { cursor: toHex(k(P, 5)), backend: 2, overlay: 0, loops: 2 })
  const r3 = st.clearPrefix(k(P), 2, r2.cursor)
  assert.deepEqual(r3, { cursor: undefined, backend: 1, overlay: 0, loops: 1 })
  for (const [key] of five) assert.equal(st.get(key), undefined, `${toHex(key)} removed`)
  assert.equal(toHex(st.get(k(0xbb))!), '0x09', 'a key outside the prefix stays')
})

test('clear_prefix counts overlay and backend removals separately; already-deleted backend keys use up the limit', () => {
  const st = new OverlayStorage(new MemoryStorage(five.slice(0, 2)))
  st.set(k(P, 9), k(9)) // only in the overlay
  st.set(k(P, 1), k(7)) // overwritten in the overlay, present in the backend
  st.set(k(P, 2), null) // already deleted in the overlay
  // overlay: (P,1) and (P,9) held values → 2; backend: (P,1) is now deleted in the overlay (by the overlay
  // pass) so it costs a loop without a backend deletion; the limit of 1 stops at (P,2)
  const r = st.clearPrefix(k(P), 1, undefined)
  assert.deepEqual({ ...r, cursor: r.cursor && toHex(r.cursor) }, { cursor: toHex(k(P, 2)), backend: 0, overlay: 2, loops: 1 })
  const r2 = st.clearPrefix(k(P), undefined, r.cursor)
  assert.deepEqual(r2, { cursor: undefined, backend: 0, overlay: 0, loops: 1 })
  assert.equal(st.get(k(P, 1)), undefined)
  assert.equal(st.get(k(P, 9)), undefined)
})

test('kill_child_storage with a limit and cursor; a cursor below the prefix starts at the prefix', () => {
  const ck = k(0x63)
  const st = new OverlayStorage(new MemoryStorage([], [[ck, five]]))
  const r = st.clearPrefix(new Uint8Array(), 3, undefined, ck)
  assert.equal(r.loops, 3)
  assert.equal(toHex(r.cursor!), toHex(k(P, 4)))
  assert.deepEqual(st.clearPrefix(new Uint8Array(), 3, r.cursor, ck), { cursor: undefined, backend: 2, overlay: 0, loops: 2 })
  const top = new OverlayStorage(new MemoryStorage([...five, [k(0x01), k(1)]]))
  assert.deepEqual(top.clearPrefix(k(P), undefined, k(0x02)), { cursor: undefined, backend: 5, overlay: 0, loops: 5 })
  assert.equal(toHex(top.get(k(0x01))!), '0x01')
})

test('clearing is linear: one backend step per key removed (8,000 keys)', () => {
  const entries = Array.from({ length: 8000 }, (_, i) => [k(P, i >> 8, i & 0xff), k(1)] as [Uint8Array, Uint8Array])
  const mem = new MemoryStorage(entries)
  let steps = 0
  const counting: StorageBackend = {
    get: (key) => (steps++, mem.get(key)),
    nextKey: (key) => (steps++, mem.nextKey(key)),
    childGet: (c, key) => mem.childGet(c, key),
    childNextKey: (c, key) => mem.childNextKey(c, key),
  }
  const st = new OverlayStorage(counting)
  st.set(k(P, 0xff), k(2)) // something in the overlay too
  const r = st.clearPrefix(k(P), undefined, undefined)
  assert.equal(r.backend, 8000)
  assert.equal(r.overlay, 1)
  assert.ok(steps <= 8000 + 2, `${steps} backend steps for 8000 keys`)
  assert.equal(st.nextKey(k(P - 1)), undefined, 'nothing left')
})
