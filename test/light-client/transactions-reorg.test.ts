// Watched transactions across forks, reorgs and warps (issue 25), on the light client's transactions
// service over a chain that forks (the light client's own fork tree: `test/support/fork-chain.ts`):
// inclusion is told along the best chain only, a reorg re-reports it in the winning chain, finality of a
// sibling never finalizes it, a warp retracts it, a transaction that became invalid is told so, and one
// connection cannot take every watch slot. Plus the pure InclusionTracker's rules one by one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { headerHash, type Header } from '../../src/header/index.ts'
import { InclusionTracker } from '../../src/transactions/index.ts'
import { MAX_WATCHED_PER_CONNECTION, REVALIDATE_EVERY, TransactionsService, type TransactionEvent } from '../../src/light-client/transactions-service.ts'
import { STALE, forkChain } from '../support/fork-chain.ts'

const tick = () => new Promise((r) => setTimeout(r, 5))
const hx = (h: Header) => toHex(headerHash(h))

function watch(svc: TransactionsService, tx: Uint8Array, owner?: number) {
  const events: TransactionEvent[] = []
  svc.submit(tx, (e) => events.push(e), owner)
  return events
}
const names = (events: TransactionEvent[]) => events.filter((e) => e.event !== 'broadcasted').map((e) => (e.event === 'bestChainBlockIncluded' ? `included:${e.block?.hash ?? null}` : e.event === 'finalized' ? `finalized:${e.block.hash}` : e.event))

test('a transfer included in a fork that loses is re-reported in the winning chain and reaches finalized there', async () => {
  const f = forkChain()
  const svc = new TransactionsService(f.chain)
  const tx = new Uint8Array([4, 1, 2, 3])
  const events = watch(svc, tx)
  await tick()
  const a = f.chainOf(f.genesis, 2, (i) => (i === 1 ? [tx] : [])) // a2 holds it: best, included
  await tick()
  assert.deepEqual(names(events), ['validated', `included:${hx(a[1])}`])
  const b = f.chainOf(f.genesis, 3, (i) => (i === 2 ? [new Uint8Array([9]), tx] : [])) // b3: longer, also holds it at index 1
  await tick()
  assert.deepEqual(names(events).slice(2), [`included:${hx(b[2])}`])
  assert.equal((events.at(-1) as { block: { index: number } }).block.index, 1)
  f.finalize(b[2])
  await tick()
  assert.deepEqual(names(events).slice(3), [`finalized:${hx(b[2])}`])
  svc.stop()
})

test('in fork A and sibling B: finality of B while A is best reports B, never A as finalized; a fork block never counts while off the best chain', async () => {
  const f = forkChain()
  const svc = new TransactionsService(f.chain)
  const tx = new Uint8Array([4, 7])
  const events = watch(svc, tx)
  await tick()
  const base = f.add(f.genesis)
  const a = f.chainOf(base, 2, (i) => (i === 0 ? [tx] : [])) // A: base→a1(tx)→a2, best
  const b = f.add(base, [tx]) // B: base→b1(tx), shorter: not best
  await tick()
  assert.deepEqual(names(events), ['validated', `included:${hx(a[0])}`], 'the fork block is not reported')
  f.finalize(b) // the relay chain (finality) picks B: A is pruned
  await tick()
  assert.deepEqual(names(events).slice(2), [`included:${hx(b)}`, `finalized:${hx(b)}`])
  assert.ok(!names(events).includes(`finalized:${hx(a[0])}`))
  svc.stop()
})

test('a reorg to a chain without it retracts it (null), and a warp reset does too', async () => {
  const f = forkChain()
  const svc = new TransactionsService(f.chain)
  const tx = new Uint8Array([4, 8])
  const events = watch(svc, tx)
  await tick()
  const a = f.add(f.genesis, [tx])
  await tick()
  f.chainOf(f.genesis, 2) // longer, without it
  await tick()
  assert.deepEqual(names(events), ['validated', `included:${hx(a)}`, 'included:null'])
  assert.deepEqual(svc.pending(), [tx], 'pending again')
  const c = f.chainOf(a, 2) // A's side grows longer again: included in a again
  await tick()
  assert.deepEqual(names(events).slice(3), [`included:${hx(a)}`])
  void c
  f.emit([{ kind: 'reset' }])
  await tick()
  assert.deepEqual(names(events).slice(4), ['included:null'])
  svc.stop()
})

test(`a pending transaction is validated again every ${REVALIDATE_EVERY} best blocks; one that became invalid gets invalid`, async () => {
  const f = forkChain()
  const svc = new TransactionsService(f.chain)
  const events = watch(svc, new Uint8Array([4, 9]))
  await tick()
  assert.equal(f.runtime.calls, 1)
  let tip = f.genesis
  for (let i = 0; i < REVALIDATE_EVERY; i++) tip = f.add(tip)
  await tick()
  assert.equal(f.runtime.calls, 2, 'validated again at the 10th block')
  assert.deepEqual(names(events), ['validated'])
  f.runtime.validity = STALE // e.g. its nonce was used by another transaction
  for (let i = 0; i < REVALIDATE_EVERY; i++) tip = f.add(tip)
  await tick()
  assert.deepEqual(names(events), ['validated', 'invalid'])
  assert.equal((events.at(-1) as { error: string }).error, 'Transaction is outdated')
  assert.deepEqual(svc.pending(), [])
  svc.stop()
})

test(`64 connections each watching as many as they may cannot starve a 65th (${MAX_WATCHED_PER_CONNECTION} per connection)`, async () => {
  const f = forkChain()
  const svc = new TransactionsService(f.chain)
  const dropped: number[] = []
  for (let conn = 1; conn <= 64; conn++)
    for (let i = 0; i < MAX_WATCHED_PER_CONNECTION + 4; i++) {
      const ev = watch(svc, new Uint8Array([4, conn, i]), conn)
      setTimeout(() => ev.some((e) => e.event === 'dropped') && dropped.push(conn), 20)
    }
  const late = watch(svc, new Uint8Array([4, 65]), 65)
  await new Promise((r) => setTimeout(r, 40))
  assert.deepEqual(names(late), ['validated'], 'the 65th connection is served')
  assert.equal(dropped.length, 64 * 4, 'each greedy connection had its extra watches dropped')
  assert.equal(svc.canWatch(1), false)
  assert.equal(svc.canWatch(66), true)
  svc.stop()
})

test('InclusionTracker: reported along the best chain only; pruned inclusions forgotten; finalized once', () => {
  const t = new InclusionTracker()
  t.watch(1)
  assert.deepEqual(t.blockBody('0xa1', [[1, 0]]), [], 'not on the best chain (none given yet)')
  assert.deepEqual(t.best(['0xa1', '0x00']), [{ id: 1, kind: 'bestChainBlockIncluded', block: { hash: '0xa1', index: 0 } }])
  assert.deepEqual(t.best(['0xa1', '0x00']), [], 'nothing new')
  assert.deepEqual(t.blockBody('0xb1', [[1, 2]]), [], 'a fork block')
  assert.deepEqual(t.best(['0xb2', '0xb1', '0x00']), [{ id: 1, kind: 'bestChainBlockIncluded', block: { hash: '0xb1', index: 2 } }])
  assert.deepEqual(t.finalized(['0xa1'], ['0xb1', '0xb2']), [
    { id: 1, kind: 'bestChainBlockIncluded', block: { hash: '0xa1', index: 0 } },
    { id: 1, kind: 'finalized', block: { hash: '0xa1', index: 0 } },
  ])
  assert.equal(t.isIncluded(1), false, 'done and forgotten')
  t.watch(2)
  t.blockBody('0xc1', [[2, 0]])
  assert.deepEqual(t.finalized(['0xd1'], ['0xc1']), [], 'pruned, not finalized')
  assert.deepEqual(t.best(['0xd2', '0xd1']), [], 'and forgotten')
})
