// The fork tree's bounds (issue 25): forks that fall far behind the best block are dropped, the tree
// never holds more than its bound of forks off the best chain (lightest and shortest go first), a
// finality stall may grow the best chain to twice the bound and no further, and blocks dropped before
// finality are reported with the next finalization's pruned blocks (so chainHead can tell its clients).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { headerHash, type Header } from '../../src/header/index.ts'
import { ForkTree } from '../../src/chain/index.ts'

let salt = 0
const child = (parent: Header): Header => ({ parentHash: headerHash(parent), number: parent.number + 1, stateRoot: blake2_256(new Uint8Array([salt & 255, (salt >> 8) & 255, (salt++ >> 16) & 255])), extrinsicsRoot: new Uint8Array(32), digest: [] })
const genesis: Header = { parentHash: new Uint8Array(32), number: 0, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [] }

function tree(limits: { maxBlocks?: number; maxForkLag?: number }) {
  const t = new ForkTree<null, string>(genesis, null, () => ({ ok: true, state: null, weight: 1n }), limits)
  const add = (parent: Header) => {
    const h = child(parent)
    const r = t.insert(h)
    return { h, r }
  }
  const chain = (parent: Header, n: number) => {
    const out: Header[] = []
    for (let i = 0; i < n; i++) {
      const { h, r } = add(parent)
      assert.equal(r.kind, 'inserted')
      out.push((parent = h))
    }
    return out
  }
  /** Like `chain`, but stops at the first block the tree does not take (at its bound, or whose parent was dropped). */
  const tryChain = (parent: Header, n: number) => {
    const out: Header[] = []
    for (let i = 0; i < n; i++) {
      const { h, r } = add(parent)
      if (r.kind !== 'inserted') break
      out.push((parent = h))
    }
    return out
  }
  return { t, add, chain, tryChain }
}

test('a fork that falls more than maxForkLag blocks behind the best is dropped, and reported as pruned at the next finality', () => {
  const { t, chain } = tree({ maxForkLag: 10 })
  const main = chain(genesis, 5)
  const fork = chain(main[1], 3) // #3..#5 off #2
  assert.equal(t.size, 1 + 5 + 3)
  const more = chain(main[4], 10) // best #15: the fork's head #5 is exactly 10 behind, kept
  assert.ok(t.get(headerHash(fork[2])))
  chain(more[9], 1) // best #16: 11 behind, dropped
  assert.equal(t.get(headerHash(fork[2])), undefined)
  assert.equal(t.size, 1 + 16)
  const fin = t.finalize(headerHash(main[2]))
  assert.ok(fin.kind === 'finalized')
  assert.deepEqual(fin.pruned.map((b) => toHex(b.hash)).sort(), fork.map((h) => toHex(headerHash(h))).sort())
})

test('over maxBlocks the lightest, shortest forks go first; the best chain is never touched', () => {
  const { t, chain, add, tryChain } = tree({ maxBlocks: 100, maxForkLag: 1_000 })
  const main = chain(genesis, 60)
  // 30 forks of 3 blocks off #50, and one long fork of 8 off #55
  const short: Header[][] = []
  for (let i = 0; i < 30; i++) short.push(tryChain(main[49], 3))
  assert.ok(t.size - 1 <= 100, `${t.size - 1} blocks above the finalized one`)
  for (const h of main) assert.ok(t.get(headerHash(h)), 'the best chain stays whole')
  const long = chain(main[54], 8) // #56..#63: the new best
  assert.equal(toHex(t.best.hash), toHex(headerHash(long[7])))
  assert.ok(t.size - 1 <= 100, `${t.size - 1} blocks above the finalized one`)
  // the old main chain tip is now a fork: it is longer (heavier) than the 3-block forks, so it stays
  assert.ok(t.get(headerHash(main[59])), 'the heavier fork stays')
  for (const h of long) assert.ok(t.get(headerHash(h)))
  for (const h of main.slice(0, 55)) assert.ok(t.get(headerHash(h)), 'the best chain stays whole')
  const kept = short.filter((f) => f.length === 3 && t.get(headerHash(f[2]))).length
  assert.ok(kept < 30, `${kept} short forks left`)
  // at the bound a new fork block takes the place of a lighter fork, never of the best chain
  const late = add(main[58]) // #60, a fork as heavy as main's tip #60
  assert.equal(late.r.kind, 'inserted')
  assert.ok(t.size - 1 <= 100)
  for (const h of [...main.slice(0, 55), ...long]) assert.ok(t.get(headerHash(h)), 'the best chain stays whole')
  assert.equal(add(long[7]).r.kind, 'inserted')
})

test('a finality stall grows the best chain to twice maxBlocks, then nothing more is taken', () => {
  const { t, chain, add } = tree({ maxBlocks: 50 })
  const main = chain(genesis, 100)
  assert.equal(add(main[99]).r.kind, 'full')
  // finality resumes: room again
  const fin = t.finalize(headerHash(main[89]))
  assert.ok(fin.kind === 'finalized')
  assert.equal(add(main[99]).r.kind, 'inserted')
})
