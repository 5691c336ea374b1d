// The node's chain with forks, on node-template's real runtime (Alice and Bob author alternate Aura
// slots, so two authors in neighbouring slots make a real fork): every valid block is kept, the longest
// chain is best (the first seen wins a tie), a longer fork reorganizes the canonical chain (events tell
// the retracted and enacted blocks), the database follows a reorg (reopened, it has the new best chain and
// its state), finalizing a fork block moves the best chain onto it, and finality prunes the forks that do
// not contain the finalized block. The sync machine asks down from an unknown fork head.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writer, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { decodeWarpProof, scheduledChangeOf } from '../../src/finality/index.ts'
import { GRANDPA_ENGINE, headerHash } from '../../src/header/index.ts'
import { BlockSync, DevChain, authorAuraBlock, executeBlock, genesisGrandpaSet, genesisState, localJustification, type ChainBlock, type DevChainEvent } from '../../src/full-node/index.ts'
import { devChainAccess } from '../../src/full-node/chain-access.ts'
import type { ChainEvent } from '../../src/json-rpc/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const keys = { alice: sr25519FromSuri('//Alice'), bob: sr25519FromSuri('//Bob') }
const BASE = 5_000_000n

/** A node-template block on `parent` in `slot` (even: Alice's, odd: Bob's). */
function blockOn(chain: DevChain, parent: ChainBlock, slot: bigint) {
  const author = slot % 2n === 0n ? keys.alice : keys.bob
  return authorAuraBlock({ parent: parent.header, parentState: parent.state!, slot, timestampMs: slot * 6000n, author })
}

test('DevChain: forks kept, longest chain best, a reorg rewrites the canonical chain and the database; finality prunes', { ...needsFixtures, timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-forks-'))
  const path = join(dir, 'db.sqlite')
  try {
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    let chain = DevChain.open(spec, path)
    const events: DevChainEvent[] = []
    const rpcEvents: ChainEvent[] = []
    chain.onEvent((e) => events.push(e))
    devChainAccess(chain).onEvent((e) => rpcEvents.push(e))
    const add = (parent: ChainBlock, slot: bigint) => {
      const { block, state } = blockOn(chain, parent, slot)
      return chain.block(chain.add(block, state))!
    }
    const g = chain.bestBlock
    const a1 = add(g, BASE)
    // two blocks #2: Alice's at slot +2 first, then Bob's at slot +3 (he did not see hers)
    const a2 = add(a1, BASE + 2n)
    const b2 = add(a1, BASE + 3n)
    assert.equal(toHex(chain.bestBlock.hash), toHex(a2.hash), 'a tie keeps the first seen')
    assert.deepEqual(chain.forks().map((b) => toHex(b.hash)), [toHex(b2.hash)])
    assert.deepEqual(events.map((e) => e.kind === 'block' && e.best), [true, true, false])
    // Bob's fork grows: #3 on it is the longest chain
    const b3 = add(b2, BASE + 5n)
    assert.equal(toHex(chain.bestBlock.hash), toHex(b3.hash))
    assert.equal(toHex(chain.blockAt(2)!.hash), toHex(b2.hash), 'the canonical #2 is now Bob’s')
    const last = events[events.length - 1]
    assert.ok(last.kind === 'block' && last.reorg)
    assert.deepEqual(last.reorg.retracted.map((b) => toHex(b.hash)), [toHex(a2.hash)])
    assert.deepEqual(last.reorg.enacted.map((b) => toHex(b.hash)), [toHex(b2.hash), toHex(b3.hash)])
    assert.equal(chain.reorgs, 1)
    // JSON-RPC saw every block and the best block move to the winner
    assert.deepEqual(
      rpcEvents.map((e) => `${e.kind}${'hash' in e ? ` ${toHex(e.hash).slice(0, 10)}` : ''}`),
      [`newBlock ${toHex(a1.hash).slice(0, 10)}`, `bestChanged ${toHex(a1.hash).slice(0, 10)}`, `newBlock ${toHex(a2.hash).slice(0, 10)}`, `bestChanged ${toHex(a2.hash).slice(0, 10)}`, `newBlock ${toHex(b2.hash).slice(0, 10)}`, `newBlock ${toHex(b3.hash).slice(0, 10)}`, `bestChanged ${toHex(b3.hash).slice(0, 10)}`],
    )

    // the database holds the new best chain: reopened, the same best block and state root
    chain.close()
    chain = DevChain.open(spec, path)
    assert.equal(toHex(chain.bestBlock.hash), toHex(b3.hash))
    assert.equal(toHex(chain.blockAt(2)!.hash), toHex(b2.hash))
    // (opening recomputes the best block's state root from the stored state: a wrong state would throw)

    // Alice's fork again: a2 is gone after the reopen (forks live in memory); rebuild it and make it longer
    const r1 = chain.blockAt(1)!
    const a2b = chain.block(chain.add(blockOn(chain, r1, BASE + 2n).block, blockOn(chain, r1, BASE + 2n).state))!
    const a3 = chain.block(chain.add(blockOn(chain, a2b, BASE + 4n).block, blockOn(chain, a2b, BASE + 4n).state))!
    assert.equal(toHex(chain.bestBlock.hash), toHex(b3.hash), 'a fork as long as the best chain does not win')
    // finalizing Alice's #3 moves the best chain onto it and prunes Bob's fork
    const after: DevChainEvent[] = []
    chain.onEvent((e) => after.push(e))
    chain.finalize(a3.hash, new Uint8Array([1]))
    assert.equal(toHex(chain.bestBlock.hash), toHex(a3.hash))
    assert.deepEqual(after.map((e) => e.kind), ['best', 'finalized'])
    const fin = after[1]
    assert.ok(fin.kind === 'finalized')
    assert.deepEqual(new Set(fin.pruned.map(toHex)), new Set([toHex(b2.hash), toHex(b3.hash)]))
    assert.deepEqual(chain.forks(), [])
    assert.equal(chain.block(b3.hash), undefined)
    assert.throws(() => chain.add(blockOn(chain, r1, BASE + 7n).block, blockOn(chain, r1, BASE + 7n).state), /not above the finalized/)
    chain.close()
    chain = DevChain.open(spec, path)
    assert.equal(toHex(chain.bestBlock.hash), toHex(a3.hash), 'the database followed the finality reorg')
    assert.equal(chain.finalized().number, 3)
    chain.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('BlockSync: an unknown fork head is fetched down from its hash, deeper until it reaches a block we hold', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const ours = new DevChain(spec)
  const theirs = new DevChain(spec)
  const a1 = blockOn(ours, ours.bestBlock, BASE)
  ours.add(a1.block, a1.state)
  theirs.add(a1.block, a1.state)
  for (let i = 0; i < 3; i++) {
    const a = blockOn(ours, ours.bestBlock, BASE + 2n + BigInt(2 * i))
    ours.add(a.block, a.state)
  }
  // theirs forks at #1: 3 blocks of Bob's slots
  for (let i = 0; i < 3; i++) {
    const b = blockOn(theirs, theirs.bestBlock, BASE + 3n + BigInt(2 * i))
    theirs.add(b.block, b.state)
  }
  const sync = new BlockSync({ best: () => ours.best(), finalizedNumber: () => ours.finalized().number, hashAt: (n) => ours.blockAt(n)?.hash, has: (h) => ours.block(h) !== undefined })
  sync.peerBest('p', 4, theirs.bestBlock.hash)
  const first = sync.nextRequest()!
  assert.equal(first.request.direction, 'descending')
  assert.equal(first.request.maxBlocks, 1, 'level with us: the announced block alone first')
  const r1 = sync.onResponse('p', theirs.blocks(first.request, first.request.maxBlocks))
  assert.deepEqual(r1, { ok: true, blocks: [] }, 'its parent is unknown: nothing to import yet')
  const second = sync.nextRequest()!
  assert.equal(second.request.direction, 'descending')
  assert.ok(second.request.maxBlocks >= 3)
  const r2 = sync.onResponse('p', theirs.blocks(second.request, second.request.maxBlocks))
  assert.ok(r2.ok)
  assert.deepEqual(r2.blocks.map((b) => b.header.number), [2, 3, 4], 'the fork from the block above our common #1, lowest first')
  for (const b of r2.blocks) ours.add({ header: b.header, body: b.body }, executeBlock(ours.block(b.header.parentHash)!.state!, { header: b.header, body: b.body }))
  assert.notEqual(toHex(ours.bestBlock.hash), toHex(theirs.bestBlock.hash), 'as long as ours: ours stays best (first seen)')
  assert.equal(ours.forks().length, 3, 'their fork is held')
  assert.equal(sync.nextRequest(), undefined, 'nothing more to ask: their best block is held')
})

test('DevChain: a GRANDPA set change in a block later retracted does not shape warp proofs (only finalized blocks count)', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const g = chain.bestBlock
  const set = genesisGrandpaSet(genesisState(spec))
  // fork A: #1 whose header schedules a set change (ConsensusLog::ScheduledChange: one authority, delay 0)
  const a1 = blockOn(chain, g, BASE + 2n)
  const change = new Writer(64).u8(1).compact(1).bytes(set.authorities[0].publicKey).u64(1n).u32(0).finish()
  const a1Header = { ...a1.block.header, digest: [{ type: 'consensus' as const, engine: GRANDPA_ENGINE, payload: change }, ...a1.block.header.digest] }
  assert.ok(scheduledChangeOf(a1Header), 'the crafted header schedules a change')
  chain.add({ header: a1Header, body: a1.block.body }, a1.state)
  // a peer asks for a warp proof while #1 of fork A is best (nothing above genesis is final yet)
  assert.equal(decodeWarpProof(chain.warpProof(g.hash)!).fragments.length, 0)
  // fork B is longer: #1 and #2 without any change; #2 is finalized with a justification of the genesis set
  const b1 = blockOn(chain, g, BASE + 3n)
  const b1Hash = chain.add(b1.block, b1.state)
  const b2 = blockOn(chain, chain.block(b1Hash)!, BASE + 4n)
  const b2Hash = chain.add(b2.block, b2.state)
  assert.equal(toHex(chain.blockAt(1)!.hash), toHex(b1Hash), 'fork B is canonical')
  chain.finalize(b2Hash, localJustification(b2.block.header, 1n, set, [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]).encoded)
  // the proof goes straight to #2: fork A's change was never final
  const proof = decodeWarpProof(chain.warpProof(g.hash)!)
  assert.equal(proof.isFinished, true)
  assert.deepEqual(proof.fragments.map((f) => toHex(headerHash(f.header))), [toHex(b2Hash)])
})
