// The proof-driven descendants walk (issue 25): entries in key order, page by page; only nodes reached
// from the root kept (padded proofs do not accumulate); a walk that starts after a key asks only for what
// lies after it. Expected entries come from the data itself (the chain spec's storage, the recorded
// proof rounds' expected list, the generated key set), never from the walk.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareBytes, concatBytes, fromHex, toHex } from '../../src/codec/index.ts'
import { blake2_128, blake2_256 } from '../../src/crypto/index.ts'
import { DescendantsWalk, KEYS_PER_PROOF, MemoryTrie, decodeProof } from '../../src/trie/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const startsWith = (k: Uint8Array, p: Uint8Array) => p.every((b, i) => k[i] === b)

/** Runs a walk to its end against a trie that proves whatever it asks for; counts requests and bytes. */
function walkAll(trie: MemoryTrie, prefix: Uint8Array, startAfter?: Uint8Array, opts: { pad?: (nodes: Uint8Array[]) => Uint8Array[]; stopAfter?: number } = {}) {
  const walk = new DescendantsWalk(trie.root, prefix, startAfter)
  const out: [Uint8Array, Uint8Array][] = []
  let requests = 0
  let bytes = 0
  let maxHeld = 0
  while (!walk.done && out.length < (opts.stopAfter ?? Infinity)) {
    assert.ok(walk.wanted.length >= 1 && walk.wanted.length <= KEYS_PER_PROOF)
    let nodes = trie.proveKeys(walk.wanted)
    if (opts.pad) nodes = opts.pad(nodes)
    requests++
    bytes += nodes.reduce((n, x) => n + x.length, 0)
    const step = walk.add(nodes)
    assert.ok(step.progressed, 'a proof of what the walk asked for always helps')
    out.push(...step.entries)
    maxHeld = Math.max(maxHeld, walk.held.bytes)
    assert.ok(requests < 10_000, 'the walk ends')
  }
  return { out, requests, bytes, maxHeld, walk }
}

test("westend's genesis: every key under each storage prefix, from proofs against the real state root", needsFixtures, () => {
  const spec = JSON.parse(readFixtureText('chain-specs', 'westend-genesis.json')) as { genesis: { raw: { top: Record<string, string> } } }
  const live = JSON.parse(readFixtureText('chain-specs', 'westend2.json')) as { genesis: { stateRootHash: string } }
  const entries = Object.entries(spec.genesis.raw.top).map(([k, v]) => [fromHex(k), fromHex(v)] as [Uint8Array, Uint8Array])
  const trie = new MemoryTrie(entries, 0)
  // the trie is Westend's real genesis state: its root is the one the live chain spec names
  assert.equal(toHex(trie.root), live.genesis.stateRootHash)
  const sorted = [...entries].sort((a, b) => compareBytes(a[0], b[0]))
  for (const prefix of ['0x', '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9', '0xcec5070d609dd3497f72bde07fc96ba0726380404683fc89e8233450c8aa1950', '0x3a', '0xffff']) {
    const p = fromHex(prefix)
    const { out } = walkAll(trie, p)
    const want = sorted.filter(([k]) => startsWith(k, p))
    assert.deepEqual(out.map(([k, v]) => [toHex(k), toHex(v)]), want.map(([k, v]) => [toHex(k), toHex(v)]), prefix)
  }
})

test("smoldot's recorded prefix-proof rounds fed in order give exactly the expected entries", needsFixtures, () => {
  const fx = JSON.parse(readFixtureText('proofs', 'prefix-proof.json')) as { prefix: string; trie_root_hash: string; proofs: string[]; expected_entries: string[] }
  const walk = new DescendantsWalk(fromHex(fx.trie_root_hash), fromHex(fx.prefix))
  const keys: string[] = []
  for (const p of fx.proofs) {
    assert.equal(walk.done, false)
    keys.push(...walk.add(decodeProof(fromHex(p))).entries.map(([k]) => toHex(k)))
  }
  assert.equal(walk.done, true)
  assert.deepEqual(keys, [...fx.expected_entries].sort())
})

test('property: any key set, prefix and start key: exactly the keys under the prefix after the start, in order', () => {
  const key = fc.uint8Array({ minLength: 0, maxLength: 5 }).map((a) => a.map((b) => b & 0x13)) // few distinct bytes: deep shared paths
  fc.assert(
    fc.property(fc.uniqueArray(key, { selector: toHex, maxLength: 60 }), fc.uint8Array({ maxLength: 2 }).map((a) => a.map((b) => b & 0x13)), fc.option(key, { nil: undefined }), fc.constantFrom(0 as const, 1 as const), (keys, prefix, start, version) => {
      const entries = keys.map((k, i) => [k, new Uint8Array(i % 3 === 0 ? 40 : 3).fill(i)] as [Uint8Array, Uint8Array])
      const trie = new MemoryTrie(entries, version)
      const want = entries
        .filter(([k]) => startsWith(k, prefix) && (start === undefined || compareBytes(k, start) > 0))
        .sort((a, b) => compareBytes(a[0], b[0]))
        .map(([k, v]) => [toHex(k), toHex(v)])
      const { out } = walkAll(trie, prefix, start)
      assert.deepEqual(out.map(([k, v]) => [toHex(k), toHex(v)]), want)
    }),
    { numRuns: 300 },
  )
})

/** 10,000 accounts of a storage map (blake2_128concat keys, as System.Account). */
function bigMap() {
  const prefix = fromHex('0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9')
  const entries: [Uint8Array, Uint8Array][] = []
  for (let i = 0; i < 10_000; i++) {
    const account = blake2_256(new Uint8Array([i & 255, i >> 8, 7]))
    entries.push([concatBytes(prefix, blake2_128(account), account), new Uint8Array(80).fill(i & 255)])
  }
  // other pallets' keys around it
  for (let i = 0; i < 500; i++) entries.push([blake2_256(new Uint8Array([i & 255, i >> 8, 9])), new Uint8Array([i])])
  return { prefix, entries, trie: new MemoryTrie(entries, 1) }
}

test('10,000 keys in pages of 100 with a start key: each page asks a few proofs, never the whole map', () => {
  const { prefix, entries, trie } = bigMap()
  const sorted = entries.filter(([k]) => startsWith(k, prefix)).sort((a, b) => compareBytes(a[0], b[0]))
  const whole = walkAll(trie, prefix)
  assert.equal(whole.out.length, 10_000)
  let start: Uint8Array | undefined
  let got = 0
  let requests = 0
  let bytes = 0
  for (let page = 0; page < 100; page++) {
    const r = walkAll(trie, prefix, start, { stopAfter: 100 })
    const keys = r.out.slice(0, 100)
    assert.deepEqual(keys.map(([k]) => toHex(k)), sorted.slice(got, got + 100).map(([k]) => toHex(k)), `page ${page}`)
    got += keys.length
    start = keys[keys.length - 1][0]
    // below the prefix: 3–4 levels of branches, the leaf, then its hashed value (trie v1): a page is about
    // that many rounds (64 subtrees asked per round, in key order), whatever page of the map it is
    assert.ok(r.requests <= 12, `page ${page}: ${r.requests} requests`)
    requests += r.requests
    bytes += r.bytes
  }
  assert.equal(got, 10_000)
  // paging the whole map costs a small multiple of walking it once (before: every page walked the whole prefix)
  assert.ok(bytes < 4 * whole.bytes, `pages downloaded ${bytes} bytes, one walk ${whole.bytes}`)
  console.log(`10,000 keys: one walk ${whole.requests} proofs / ${(whole.bytes / 1024).toFixed(0)} KiB; 100 pages ${requests} proofs / ${(bytes / 1024).toFixed(0)} KiB`)
})

test('padded proofs: the walk keeps only nodes reached from the root, never the padding', () => {
  const { prefix, trie } = bigMap()
  const junk = Array.from({ length: 2_000 }, (_, i) => new Uint8Array(512).fill(i & 255))
  // other parts of the trie are real nodes, just not on the way: also dropped
  const elsewhere = trie.proveKeys(Array.from({ length: 50 }, (_, i) => blake2_256(new Uint8Array([i, 0, 9]))))
  const padded = walkAll(trie, prefix, undefined, { pad: (nodes) => [...nodes, ...junk, ...elsewhere] })
  const plain = walkAll(trie, prefix)
  assert.equal(padded.out.length, 10_000)
  // each padded response carried > 1 MiB of junk; what the walk held never exceeded the unpadded walk's peak
  assert.ok(padded.bytes > padded.requests * 1_000_000)
  assert.ok(padded.maxHeld <= plain.maxHeld, `held ${padded.maxHeld} vs ${plain.maxHeld}`)
  assert.ok(plain.maxHeld < plain.bytes / 4, `held at most ${plain.maxHeld} of ${plain.bytes} bytes downloaded`)
  assert.equal(padded.walk.held.nodes, 0, 'nothing is held once the walk is done')
})
