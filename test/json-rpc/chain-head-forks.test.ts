// chainHead_v1 under forks, as a pure test of the JSON-RPC layer (issue 25): the events come from the
// light client's own fork-tree machine and header store (`test/support/fork-chain.ts`), so the order
// and pruning are the ones the light client produces. Checked
// against the spec's rules, not against our own output: the best block is never in `prunedBlockHashes`
// nor an older entry of `finalizedBlockHashes`; pruned hashes are exactly the losing fork; every pinned
// block answers until unpinned (even 5,000 blocks later); a 1,000-block finality stall stops nobody; a
// client that never unpins, or never reads, gets `stop`; in a batch, a follow's first event comes after
// the batch's response.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { MAX_KNOWN_BLOCKS } from '../../src/light-client/known-blocks.ts'
import { forkChain } from '../support/fork-chain.ts'
import { LAG_MIN_QUEUED, LAG_MS, ResponseQueue, queueConnection } from '../../src/light-client/client.ts'
import { ChainAccessError, Connection, Registry, chainHeadRpc, type ChainAccess } from '../../src/json-rpc/index.ts'
import { waitFor } from '../support/wait.ts'
import type { Header } from '../../src/header/index.ts'

/** The fork chain, with the names this file uses. */
function fakeChain() {
  return forkChain()
}

const hx = (h: Header) => toHex(headerHash(h))

type Note = { subscription: string; result: any }

/** A JSON-RPC client over a Connection: answers by id, follow events in arrival order, and the checks the spec asks of them. */
function rpcOver(chain: ChainAccess, conn?: (reg: Registry, send: (t: string) => void) => Connection) {
  const events: any[] = []
  const order: string[] = []
  const send = (t: string) => {
    const m = JSON.parse(t)
    if (m.method) {
      events.push((m.params as Note).result)
      order.push(`event:${(m.params as Note).result.event}`)
    } else order.push('response')
  }
  const reg = chainHeadRpc(new Registry(), chain, { name: 'fake' })
  const c = conn ? conn(reg, send) : new Connection(reg, send)
  let id = 1
  const ask = async (method: string, params: unknown[]) => {
    const out = await c.handle(JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }))
    if (out) send(out)
    return JSON.parse(out!)
  }
  const settle = () => new Promise((r) => setTimeout(r, 20))
  /** The spec's invariants over the events so far. */
  const check = () => {
    let best: string | undefined
    const reported = new Set<string>()
    for (const e of events) {
      if (e.event === 'initialized') for (const h of e.finalizedBlockHashes) reported.add(h)
      if (e.event === 'newBlock') {
        assert.ok(reported.has(e.parentBlockHash), 'a new block comes after its parent')
        reported.add(e.blockHash)
      }
      if (e.event === 'bestBlockChanged') {
        assert.ok(reported.has(e.bestBlockHash), 'the best block was reported')
        best = e.bestBlockHash
      }
      if (e.event === 'finalized') {
        for (const h of [...e.finalizedBlockHashes, ...e.prunedBlockHashes]) assert.ok(reported.has(h), 'only reported blocks are finalized or pruned')
        assert.ok(!e.prunedBlockHashes.includes(best), 'the current best is never pruned')
        const i = e.finalizedBlockHashes.indexOf(best)
        assert.ok(i === -1 || i === e.finalizedBlockHashes.length - 1, 'the current best is the new finalized block or in neither list')
      }
    }
  }
  return { ask, events, order, check, settle, conn: c }
}

test('a reorg, then finality of the losing side: bestBlockChanged first, pruned hashes exact, pinned blocks readable until unpinned', async () => {
  const f = fakeChain()
  const r = rpcOver(f.chain)
  const sub = (await r.ask('chainHead_v1_follow', [false])).result
  await r.settle()
  const a = f.chainOf(f.genesis, 3)
  const b = f.chainOf(f.genesis, 4) // longer: the best moves to b4
  await r.settle()
  assert.equal(r.events.at(-1).event, 'bestBlockChanged')
  assert.equal(r.events.at(-1).bestBlockHash, toHex(headerHash(b[3])))
  const before = r.events.length
  f.finalize(a[0]) // the relay chain says a1: the whole b fork (with the best) is pruned
  await r.settle()
  const after = r.events.slice(before)
  assert.deepEqual(after.map((e) => e.event), ['bestBlockChanged', 'finalized'])
  assert.equal(after[0].bestBlockHash, toHex(headerHash(a[2])))
  assert.deepEqual(after[1].finalizedBlockHashes, [toHex(headerHash(a[0]))])
  assert.deepEqual([...after[1].prunedBlockHashes].sort(), b.map((h) => toHex(headerHash(h))).sort())
  r.check()
  // pruned blocks stay readable while pinned; unpinned, they are gone for this follow
  const b2 = toHex(headerHash(b[1]))
  assert.equal((await r.ask('chainHead_v1_header', [sub, b2])).result.length > 2, true)
  assert.equal((await r.ask('chainHead_v1_body', [sub, b2])).result.result, 'started')
  await r.ask('chainHead_v1_unpin', [sub, b2])
  assert.equal((await r.ask('chainHead_v1_header', [sub, b2])).error.code, -32801)
  // finality catching up with the best: the best becomes the finalized block itself
  f.finalize(a[2])
  await r.settle()
  assert.deepEqual(r.events.filter((e) => e.event === 'finalized').at(-1).finalizedBlockHashes, [toHex(headerHash(a[1])), toHex(headerHash(a[2]))])
  r.check()
  // after unfollow, operations are refused and nothing more arrives
  await r.ask('chainHead_v1_unfollow', [sub])
  const n = r.events.length
  assert.equal((await r.ask('chainHead_v1_header', [sub, toHex(headerHash(a[2]))])).result, null)
  assert.equal((await r.ask('chainHead_v1_body', [sub, toHex(headerHash(a[2]))])).result.result, 'limitReached')
  f.chainOf(a[2], 2)
  await r.settle()
  assert.equal(r.events.length, n)
})

test('a 1,000-block finality stall stops no follow; a follow that never unpins is stopped past 512 finalized pins', async () => {
  const f = fakeChain()
  const tidy = rpcOver(f.chain) // unpins what is finalized, as polkadot-api does
  const hoarder = rpcOver(f.chain)
  const t = (await tidy.ask('chainHead_v1_follow', [false])).result
  await hoarder.ask('chainHead_v1_follow', [false])
  await tidy.settle()
  const stalled = f.chainOf(f.genesis, 1_000)
  await tidy.settle()
  // a follow started during the stall gets all 1,000 blocks and stays
  const late = rpcOver(f.chain)
  await late.ask('chainHead_v1_follow', [false])
  await late.settle()
  for (const r of [tidy, hoarder, late]) assert.ok(!r.events.some((e) => e.event === 'stop'))
  assert.equal(late.events.filter((e) => e.event === 'newBlock').length, 1_000)
  // finality resumes, 100 blocks at a time
  for (let i = 99; i < 1_000; i += 100) {
    f.finalize(stalled[i])
    await tidy.settle()
    const fin = tidy.events.at(-1)
    assert.equal(fin.event, 'finalized')
    // the previous finalized block too: the client holds only the newest
    const old = tidy.events.filter((e) => e.event === 'finalized' || e.event === 'initialized').at(-2)!.finalizedBlockHashes.at(-1)
    const drop = [...fin.finalizedBlockHashes.slice(0, -1), old]
    assert.equal((await tidy.ask('chainHead_v1_unpin', [t, drop])).result, null)
  }
  assert.ok(!tidy.events.some((e) => e.event === 'stop'), 'the follow that unpins goes on')
  assert.equal(hoarder.events.at(-1).event, 'stop', 'the follow that never unpins is stopped')
  const hoarderFinalized = hoarder.events.filter((e) => e.event === 'finalized').flatMap((e) => e.finalizedBlockHashes).length
  assert.ok(hoarderFinalized > 500 - 100 && hoarderFinalized <= 600, `stopped after ${hoarderFinalized} finalized pins`)
  for (const r of [tidy, hoarder, late]) r.check()
})

test(`a pinned block stays readable ${MAX_KNOWN_BLOCKS + 1_000} blocks later; an unpinned one of that age is gone`, async () => {
  const f = fakeChain()
  const r = rpcOver(f.chain)
  const sub = (await r.ask('chainHead_v1_follow', [false])).result
  await r.settle()
  let tip = f.genesis
  const first = f.chainOf(tip, 2)
  tip = first[1]
  await r.settle()
  const [keep, drop] = first.map((h) => toHex(headerHash(h)))
  await r.ask('chainHead_v1_unpin', [sub, drop])
  // 5,000 more blocks, finalized as they come; the client unpins each once finalized, except `keep`
  for (let i = 0; i < MAX_KNOWN_BLOCKS + 1_000; i += 100) {
    const more = f.chainOf(tip, 100)
    tip = more[99]
    f.finalize(tip)
    await r.settle()
    const pinned = r.events.filter((e) => e.event === 'finalized').at(-1)!.finalizedBlockHashes.slice(0, -1).filter((h: string) => h !== keep && h !== drop)
    const prev = r.events.filter((e) => e.event === 'finalized' || e.event === 'initialized').at(-2)!.finalizedBlockHashes.at(-1)
    await r.ask('chainHead_v1_unpin', [sub, prev === keep || prev === drop ? pinned : [...pinned, prev]])
  }
  assert.ok(f.blocks.size <= MAX_KNOWN_BLOCKS + 2, `the header store stays bounded (${f.blocks.size})`)
  assert.match((await r.ask('chainHead_v1_header', [sub, keep])).result, /^0x/)
  assert.equal((await r.ask('chainHead_v1_body', [sub, keep])).result.result, 'started')
  assert.equal(f.chain.header(headerHash(first[1])), undefined, 'the unpinned block of the same age was evicted')
  assert.ok(!r.events.some((e) => e.event === 'stop'))
})

test('an app that stops reading: its follow gets stop and the queue stays bounded; other subscriptions end past the hard limit', async () => {
  const f = fakeChain()
  let now = 0
  const queue = new ResponseQueue(() => now)
  const r = rpcOver(f.chain, (reg) => queueConnection(reg, queue))
  await r.ask('chainHead_v1_follow', [false])
  await r.settle()
  // the app reads what came so far, then stops reading
  const read: any[] = []
  while (queue.length) read.push(JSON.parse(await queue.next()))
  let tip = f.genesis
  for (let i = 0; i < 200; i++) {
    tip = f.add(tip)
    if (i % 10 === 9) f.finalize(tip)
    now += 2_000
    await new Promise((res) => setImmediate(res))
  }
  await r.settle()
  const left: any[] = []
  while (queue.length) left.push(JSON.parse(await queue.next()))
  assert.ok(left.length < LAG_MIN_QUEUED + 16, `${left.length} messages queued`)
  assert.equal(left.at(-1).params.result.event, 'stop')
  assert.ok(LAG_MS / 2_000 < left.length, 'the follow was stopped for lagging, not at once')
})

test('in a batch, a follow’s first event comes after the response carrying its subscription id', async () => {
  const f = fakeChain()
  const r = rpcOver(f.chain)
  const reg = chainHeadRpc(new Registry(), f.chain, { name: 'fake' }).method('slow', () => new Promise((res) => setTimeout(() => res(1), 100)))
  const order: string[] = []
  const conn = new Connection(reg, (t) => order.push(JSON.parse(t).params?.result?.event ?? 'response'))
  const out = await conn.handle(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [false] }, { jsonrpc: '2.0', id: 2, method: 'slow', params: [] }]))
  order.push('batch response')
  assert.equal(JSON.parse(out!).length, 2)
  await r.settle()
  await new Promise((res) => setTimeout(res, 50))
  assert.deepEqual(order.slice(0, 3), ['batch response', 'initialized', 'bestBlockChanged'])
})

test('newRuntime: a runtime nobody could provide yet is waited for (the block is reported once it is known), one that fails to compile is invalid', { timeout: 30_000 }, async () => {
  const f = fakeChain()
  const upgraded = new Set<string>()
  let unavailable = 2
  const version = { specName: 'fake', implName: 'fake', authoringVersion: 1, specVersion: 2, implVersion: 1, apis: [], transactionVersion: 1, stateVersion: 1 as const }
  f.chain.runtimeChanged = (h) => upgraded.has(toHex(h))
  f.chain.runtimeVersion = async (h) => {
    if (!upgraded.has(toHex(h))) return { ...version, specVersion: 1 }
    if (toHex(h) === broken) throw new Error('wasm validation failed')
    if (unavailable-- > 0) throw new ChainAccessError('no peer could prove the runtime')
    return version
  }
  let broken = ''
  const r = rpcOver(f.chain)
  await r.ask('chainHead_v1_follow', [true])
  await r.settle()
  const a = f.add(f.genesis)
  upgraded.add(hx(f.add(a))) // #2 upgrades: its runtime cannot be downloaded twice
  const t0 = performance.now()
  await waitFor(() => r.events.filter((e) => e.event === 'newBlock').length === 2, 20_000, 'the upgrade block reported')
  const news = r.events.filter((e) => e.event === 'newBlock')
  assert.equal(news[0].newRuntime, null)
  assert.equal(news[1].newRuntime.type, 'valid', 'reported once known, not as invalid')
  assert.equal(news[1].newRuntime.spec.specVersion, 2)
  assert.ok(performance.now() - t0 > 3_000, 'after two retries')
  const c = f.add(f.chain.best().header)
  broken = hx(c)
  upgraded.add(broken)
  f.add(c)
  await waitFor(() => r.events.filter((e) => e.event === 'newBlock').length === 4, 10_000, 'the broken upgrade reported')
  const bad = r.events.filter((e) => e.event === 'newBlock')[2]
  assert.equal(bad.newRuntime.type, 'invalid')
  assert.match(bad.newRuntime.error, /wasm validation failed/)
  r.check()
})
