// The parachain view (issue 25, item 7): a parachain's best and finalized blocks are the para heads its
// relay chain's best and finalized blocks hold. On recorded Rococo data — real `Paras::Heads(2090)`
// proofs (Basilisk) against real relay headers, with the parachain headers between them — and on
// synthetic forks: a relay reorg to a fork with a lower or sibling para head moves the parachain's best
// there (bestChanged), relay finality finalizes the parachain, heads the view cannot link yet are asked
// for and the best meanwhile never names a block the relay's best does not vouch for.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, fromHex, toHex } from '../../src/codec/index.ts'
import { decodeHeader, headerHash, type Header } from '../../src/header/index.ts'
import { initialGrandpaState } from '../../src/finality/index.ts'
import { LightSync, ParachainView, type LightSyncEvent } from '../../src/sync/index.ts'
import { TrieProof } from '../../src/trie/index.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

type Proof = { relay_block_hash: string; relay_block_number: number; storage_key: string; proof_nodes: string[]; para_ancestor_headers: string[]; relay_state_root: string; para_head_hash: string }

const view = (start: Header) => new ParachainView(new LightSync(start, initialGrandpaState(0n, []), { kind: 'relay' }))
const kinds = (events: LightSyncEvent[]) => events.map((e) => (e.kind === 'newBlock' ? `new#${e.header.number}` : e.kind === 'bestChanged' ? `best:${toHex(e.hash).slice(0, 10)}` : e.kind === 'finalized' ? `fin:${e.hashes.length}/${e.pruned.length}` : e.kind))
const h10 = (h: Header) => toHex(headerHash(h)).slice(0, 10)

/** The recorded para heads, each read from its proof against the relay block's state root (checked against the recorded relay header). */
function recorded() {
  const data = JSON.parse(readFixtureText('recorded', 'grandpa', 'rococo_paras_heads_proofs.json')) as { proofs: Proof[] }
  const relay = JSON.parse(readFixtureText('recorded', 'grandpa', 'rococo_headers.json')) as { headers: { hash: string; header_hex: string }[] }
  const relayByHash = new Map(relay.headers.map((h) => [h.hash, decodeHeader(fromHex(h.header_hex))]))
  return data.proofs.map((p) => {
    const relayHeader = relayByHash.get(p.relay_block_hash)
    assert.ok(relayHeader, `relay block #${p.relay_block_number} recorded`)
    assert.equal(toHex(relayHeader.stateRoot), p.relay_state_root)
    const r = TrieProof.fromNodes(relayHeader.stateRoot, p.proof_nodes.map(fromHex)).get(fromHex(p.storage_key))
    assert.equal(r.kind, 'value')
    const head = decodeHeader(new Reader(r.kind === 'value' ? r.value : new Uint8Array()).vecU8())
    assert.equal(toHex(headerHash(head)), p.para_head_hash)
    // the parachain headers below it, parent first in the recording: the view wants them head's parent first
    const ancestors = p.para_ancestor_headers.map((x) => decodeHeader(fromHex(x))).reverse()
    return { relayNumber: p.relay_block_number, head, ancestors }
  })
}

test('recorded Rococo para heads: the parachain follows its relay chain through ancestry, a reorg to a lower head, finality and a gap', needsFixtures, () => {
  const [a, b, c, d] = recorded()
  assert.equal(b.ancestors.at(-1)!.number, a.head.number + 1, 'the second head links to the first through its ancestors')
  const v = view(a.head)
  // the relay's best block holds a later head whose ancestry the view lacks: asked for, best stays put
  let step = v.relay(a.head, b.head)
  assert.deepEqual(step.unlinked.map((u) => [u.head.number, u.finalized]), [[b.head.number, false]])
  assert.deepEqual(step.events, [])
  // the ancestry from a peer: every block in, then the relay's best head is the best block
  step = v.linked(b.head, b.ancestors)!
  assert.deepEqual(kinds(step.events), [...b.ancestors.map((h) => `new#${h.number}`).reverse(), `new#${b.head.number}`, `best:${h10(b.head)}`])
  // a relay reorg to a fork whose best block still holds the older head: the parachain's best goes back
  step = v.relay(a.head, a.head)
  assert.deepEqual(kinds(step.events), [`best:${h10(a.head)}`])
  assert.equal(toHex(v.sync.best.hash), toHex(headerHash(a.head)))
  step = v.relay(a.head, b.head)
  assert.deepEqual(kinds(step.events), [`best:${h10(b.head)}`])
  // relay finality reaches the block holding the later head: the parachain finalizes it, and all between
  step = v.relay(b.head, b.head)
  assert.deepEqual(kinds(step.events), [`fin:${b.ancestors.length + 1}/0`])
  // a relay block 4,000 para blocks later: no peer can link it here; the caller restarts there, then links the next
  step = v.relay(c.head, d.head)
  assert.deepEqual(step.unlinked.map((u) => [u.head.number, u.finalized]), [[c.head.number, true], [d.head.number, false]])
  assert.equal(v.linked(c.head, b.ancestors), undefined, 'headers that do not link change nothing')
  v.sync.restartAt(c.head)
  step = v.restarted()
  assert.deepEqual(step.unlinked.map((u) => u.head.number), [d.head.number])
  step = v.linked(d.head, d.ancestors)!
  assert.equal(step.events.at(-1)!.kind, 'bestChanged')
  assert.equal(toHex(v.sync.best.hash), toHex(headerHash(d.head)))
  assert.equal(toHex(v.sync.finalized.hash), toHex(headerHash(c.head)))
})

let salt = 0
const child = (parent: Header): Header => ({ parentHash: headerHash(parent), number: parent.number + 1, stateRoot: blake2_256(new Uint8Array([salt & 255, salt++ >> 8])), extrinsicsRoot: new Uint8Array(32), digest: [] })
const chainOf = (parent: Header, n: number) => {
  const out: Header[] = []
  for (let i = 0; i < n; i++) out.push((parent = child(parent)))
  return out
}

test('synthetic relay forks: a sibling para head, a lower one, an unknown one; finality prunes the losing para fork', () => {
  const root: Header = { parentHash: new Uint8Array(32), number: 100, stateRoot: new Uint8Array(32).fill(3), extrinsicsRoot: new Uint8Array(32), digest: [] }
  const v = view(root)
  const main = chainOf(root, 3) // #101..#103
  const sibling = child(main[1]) // another #103
  for (const h of [...main, sibling]) v.relay(root, h) // each the relay best's head in turn, linked one by one
  assert.equal(toHex(v.sync.best.hash), toHex(headerHash(sibling)))
  // the relay reorgs to the fork holding main's #103: a sibling head of the same number
  let step = v.relay(root, main[2])
  assert.deepEqual(kinds(step.events), [`best:${h10(main[2])}`])
  // then to a fork holding only #101: lower
  step = v.relay(root, main[0])
  assert.deepEqual(kinds(step.events), [`best:${h10(main[0])}`])
  // then a head the view cannot link yet, #105 (its #104 unknown): the best may stay (#101 can be below it)
  const ahead = chainOf(main[2], 2)
  step = v.relay(root, ahead[1])
  assert.deepEqual(step.events, [])
  assert.deepEqual(step.unlinked.map((u) => u.head.number), [105])
  // an unknown head *at or below* the current best cannot have it as ancestor: back to the finalized head
  const stranger = child(child(child(root)))
  step = v.relay(root, { ...stranger, number: 101, parentHash: new Uint8Array(32).fill(7) })
  assert.deepEqual(kinds(step.events), [`best:${h10(root)}`])
  // relay finality picks main's #103: its sibling is pruned; the best (the relay best's head) is set first
  step = v.relay(main[2], main[2])
  assert.deepEqual(kinds(step.events), [`best:${h10(main[2])}`, 'fin:3/1'])
  const fin = step.events.find((e) => e.kind === 'finalized')!
  assert.ok(fin.kind === 'finalized' && toHex(fin.pruned[0]) === toHex(headerHash(sibling)))
})
