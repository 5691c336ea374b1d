// The persistent sorted map under MemoryStorage, against a plain Map model: many versions derived from
// random earlier ones (as forks do), each checked for reads, next keys, iteration, size and diffs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LayeredMap } from '../../src/executor/layered-map.ts'
import { MemoryStorage } from '../../src/executor/index.ts'

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// keys of 0–3 chars over a few byte values: prefixes of each other, repeated often, 0x00 and 0xff edges
const ALPHABET = [0, 1, 2, 0x7f, 0xff]
function randomKey(r: () => number): string {
  let k = ''
  const n = Math.floor(r() * 4)
  for (let i = 0; i < n; i++) k += String.fromCharCode(ALPHABET[Math.floor(r() * ALPHABET.length)])
  return k
}

const sortedModel = (m: Map<string, Uint8Array>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))

test('LayeredMap: every version of a forking history reads as its own plain map', () => {
  for (const seed of [1, 2, 3]) {
    const r = rng(seed)
    const versions: { map: LayeredMap; model: Map<string, Uint8Array> }[] = [{ map: LayeredMap.empty, model: new Map() }]
    for (let step = 0; step < 400; step++) {
      // mostly extend the latest version, sometimes a random older one (a fork)
      const from = r() < 0.8 ? versions[versions.length - 1] : versions[Math.floor(r() * versions.length)]
      const changes: [string, Uint8Array | null][] = []
      const n = 1 + Math.floor(r() * 6)
      for (let i = 0; i < n; i++) changes.push([randomKey(r), r() < 0.3 ? null : Uint8Array.of(step & 0xff, i)])
      const model = new Map(from.model)
      for (const [k, v] of changes) v === null ? model.delete(k) : model.set(k, v)
      versions.push({ map: from.map.with(changes), model })
    }
    for (const [vi, { map, model }] of versions.entries()) {
      const expected = sortedModel(model)
      assert.equal(map.size, model.size, `seed ${seed} version ${vi}: size`)
      assert.deepEqual([...map.entries()], expected, `seed ${seed} version ${vi}: entries`)
      for (let probe = 0; probe < 20; probe++) {
        const k = randomKey(r)
        assert.deepEqual(map.get(k), model.get(k), `seed ${seed} version ${vi}: get ${JSON.stringify(k)}`)
        assert.equal(map.nextKey(k), expected.find(([e]) => e > k)?.[0], `seed ${seed} version ${vi}: nextKey ${JSON.stringify(k)}`)
      }
    }
    // diffs between random pairs (parent/child, siblings, far apart) against the models'
    for (let i = 0; i < 200; i++) {
      const a = versions[Math.floor(r() * versions.length)]
      const b = versions[Math.floor(r() * versions.length)]
      const keys = [...new Set([...a.model.keys(), ...b.model.keys()])].sort()
      const expected = keys.filter((k) => String(a.model.get(k)) !== String(b.model.get(k))).map((k) => [k, b.model.get(k) ?? null])
      assert.deepEqual(b.map.diffFrom(a.map), expected, `seed ${seed}: diff`)
    }
  }
})

test('LayeredMap: a long chain of change sets keeps few layers and shares the bottom one', () => {
  let m = LayeredMap.of(Array.from({ length: 5000 }, (_, i) => [`base${i}`, Uint8Array.of(1)] as const))
  const first = m
  let maxDepth = 0
  for (let b = 0; b < 5000; b++) {
    // the same few keys every block (a block number, events) and one new key (a block hash)
    m = m.with([['number', Uint8Array.of(b & 0xff)], ['events', Uint8Array.of(b & 0xff, 1)], [`hash${b}`, Uint8Array.of(2)]])
    maxDepth = Math.max(maxDepth, m.depth)
  }
  assert.ok(maxDepth <= 16, `at most 16 layers (${maxDepth})`)
  assert.equal(m.size, 5000 + 2 + 5000)
  assert.deepEqual(m.get('hash4999'), Uint8Array.of(2))
  assert.equal(first.size, 5000, 'the first version is unchanged')
  assert.equal(first.get('number'), undefined)
  // a state against its parent: only the change set
  const next = m.with([['number', Uint8Array.of(7)], ['events', m.get('events')!]])
  assert.deepEqual(next.diffFrom(m), [['number', Uint8Array.of(7)]])
})

test('MemoryStorage.diffFrom agrees with comparing every entry, child tries included', () => {
  const b = (s: string) => new TextEncoder().encode(s)
  const parent = new MemoryStorage(
    [[b('a'), b('1')], [b('b'), b('2')]],
    [[b('kid'), [[b('x'), b('9')]]]],
  )
  const child = parent.withChanges({ top: [[b('a'), b('1')], [b('b'), null], [b('c'), b('3')]], children: [{ childKey: b('kid'), changes: [[b('x'), null]] }, { childKey: b('new'), changes: [[b('y'), b('8')]] }] })
  const d = child.diffFrom(parent)
  assert.deepEqual(d.top, [[b('b'), null], [b('c'), b('3')]], 'the unchanged write of a is no difference')
  assert.deepEqual(d.children, [{ childKey: b('kid'), changes: [[b('x'), null]] }, { childKey: b('new'), changes: [[b('y'), b('8')]] }])
  assert.deepEqual(child.childKeys(), [b('new')], 'the emptied child trie is gone')
})
