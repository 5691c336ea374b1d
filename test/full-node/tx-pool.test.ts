// Transaction pool logic: tag-ordered readiness, priority, inclusion and finality events, revalidation,
// duplicates and limits; the runtime's validity decoding on real node-template verdicts; SS58 addresses
// against the well-known dev accounts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writer, fromHex, toHex } from '../../src/codec/index.ts'
import { decodeSs58, encodeSs58, Ss58Error } from '../../src/crypto/index.ts'
import { PoolError, TxPool, decodeTransactionValidity, txHash, type TransactionValidity, type TxEvent } from '../../src/full-node/index.ts'

const tag = (who: number, nonce: number) => new Writer(36).bytes(new Uint8Array(32).fill(who)).u32(nonce).finish()
const valid = (priority: bigint, requires: Uint8Array[], provides: Uint8Array[]): TransactionValidity => ({ ok: true, valid: { priority, requires, provides, longevity: 64n, propagate: true } })
const tx = (n: number) => Uint8Array.of(4, n, n, n, n)

test('pool: a transaction waits for the one providing its tag; priority orders the ready ones', () => {
  const pool = new TxPool()
  const a1 = pool.submit(tx(1), valid(10n, [tag(1, 0)], [tag(1, 1)])) // Alice nonce 1: needs nonce 0
  assert.equal(a1.status, 'future', 'nobody in the pool provides (1,0): a nonce gap')
  assert.deepEqual(pool.ready(), [])
  const promoted: TxEvent[] = []
  pool.watch(a1.hash, (e) => promoted.push(e))
  const a0 = pool.submit(tx(0), valid(10n, [], [tag(1, 0)]))
  assert.equal(a0.status, 'ready')
  assert.deepEqual(promoted, [{ type: 'ready' }], 'nonce 1 is promoted once nonce 0 arrives')
  const b0 = pool.submit(tx(9), valid(50n, [], [tag(2, 0)]))
  assert.equal(b0.status, 'ready')
  // Bob's higher priority first; Alice's nonce 0 strictly before nonce 1 although nonce 1 came first
  assert.deepEqual(pool.ready().map(toHex), [tx(9), tx(0), tx(1)].map(toHex))
  assert.deepEqual(pool.ready(2).map(toHex), [tx(9), tx(0)].map(toHex))
  assert.throws(() => pool.submit(tx(0), valid(1n, [], [])), (e: unknown) => e instanceof PoolError && e.code === 'AlreadyImported')
  const invalid: TransactionValidity = { ok: false, kind: 'invalid', variant: 4, message: 'Transaction has a bad signature' }
  assert.throws(() => pool.submit(tx(7), invalid), (e: unknown) => e instanceof PoolError && e.code === 'Invalid' && e.message === 'Transaction has a bad signature')
  assert.equal(pool.pending, 3)
})

test('pool: watchers see ready, broadcast, inBlock, finalized; revalidation drops stale ones', () => {
  const pool = new TxPool()
  const events: TxEvent['type'][] = []
  const { hash } = pool.submit(tx(1), valid(1n, [], [tag(1, 0)]))
  pool.watch(hash, (e) => events.push(e.type))
  pool.announceStatus(hash)
  pool.broadcast(hash, ['peer'])
  const other = pool.submit(tx(2), valid(1n, [], [tag(2, 0)]))
  const otherEvents: TxEvent[] = []
  pool.watch(other.hash, (e) => otherEvents.push(e))
  const block = new Uint8Array(32).fill(7)
  pool.blockImported(block, 5, [tx(3), tx(1)])
  assert.equal(pool.pending, 1)
  assert.deepEqual(pool.ready().map(toHex), [toHex(tx(2))])
  pool.revalidate((b) => (toHex(b) === toHex(tx(2)) ? { ok: false, kind: 'invalid', variant: 3, message: 'Transaction is outdated' } : valid(1n, [], [])))
  assert.deepEqual(otherEvents, [{ type: 'invalid', message: 'Transaction is outdated' }])
  pool.finalized(4)
  assert.deepEqual(events, ['ready', 'broadcast', 'inBlock'], 'block 5 is not final yet')
  pool.finalized(5)
  assert.deepEqual(events, ['ready', 'broadcast', 'inBlock', 'finalized'])
  assert.equal(pool.size, 0)
  assert.equal(toHex(txHash(tx(1))), toHex(hash))
})

test('pool: a transaction included before its first status went out still reports ready first, once', () => {
  const pool = new TxPool()
  const events: TxEvent['type'][] = []
  const { hash } = pool.submit(tx(1), valid(1n, [], [tag(1, 0)]))
  pool.watch(hash, (e) => events.push(e.type))
  // a block authored before the deferred first status (a busy node on a fast devnet)
  pool.blockImported(new Uint8Array(32).fill(7), 5, [tx(1)])
  pool.announceStatus(hash)
  pool.finalized(5)
  assert.deepEqual(events, ['ready', 'inBlock', 'finalized'])
  // a future transaction promoted to ready by the one it waits for: its first status is that ready
  const later: TxEvent['type'][] = []
  const f = pool.submit(tx(3), valid(1n, [tag(3, 0)], [tag(3, 1)]))
  pool.watch(f.hash, (e) => later.push(e.type))
  pool.submit(tx(2), valid(1n, [], [tag(3, 0)]))
  pool.announceStatus(f.hash)
  assert.deepEqual(later, ['ready'])
})

test('pool: a full pool refuses, a dropped transaction tells its watchers', () => {
  const pool = new TxPool({ maxTransactions: 2 })
  pool.submit(tx(1), valid(1n, [], []))
  const { hash } = pool.submit(tx(2), valid(1n, [], []))
  assert.throws(() => pool.submit(tx(3), valid(1n, [], [])), (e: unknown) => e instanceof PoolError && e.code === 'PoolFull')
  const seen: TxEvent[] = []
  pool.watch(hash, (e) => seen.push(e))
  assert.equal(pool.drop(hash, 'gone'), true)
  assert.deepEqual(seen, [{ type: 'dropped', message: 'gone' }])
  assert.equal(pool.drop(hash, 'again'), false)
})

test('TransactionValidity decoding: valid, invalid, unknown, custom, malformed', () => {
  // Ok(ValidTransaction { priority 7, requires [], provides [[1,2]], longevity 2^64-1, propagate true })
  const ok = decodeTransactionValidity(fromHex('0x00' + '0700000000000000' + '00' + '04' + '08' + '0102' + 'ffffffffffffffff' + '01'))
  assert.deepEqual(ok, { ok: true, valid: { priority: 7n, requires: [], provides: [Uint8Array.of(1, 2)], longevity: 2n ** 64n - 1n, propagate: true } })
  assert.deepEqual(decodeTransactionValidity(fromHex('0x010004')), { ok: false, kind: 'invalid', variant: 4, message: 'Transaction has a bad signature' })
  assert.deepEqual(decodeTransactionValidity(fromHex('0x01000703')), { ok: false, kind: 'invalid', variant: 7, custom: 3, message: 'InvalidTransaction custom error' })
  assert.deepEqual(decodeTransactionValidity(fromHex('0x010101')), { ok: false, kind: 'unknown', variant: 1, message: 'Could not find an unsigned validator for the unsigned transaction' })
  assert.throws(() => decodeTransactionValidity(fromHex('0x0100')))
  assert.throws(() => decodeTransactionValidity(fromHex('0x010004ff')), 'trailing bytes')
})

test('SS58: the well-known dev addresses', () => {
  const alice = fromHex('0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d')
  assert.equal(encodeSs58(alice), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY')
  assert.deepEqual(decodeSs58('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'), { account: alice, prefix: 42 })
  // Polkadot (prefix 0) and Kusama (2) forms of Alice, and a two-byte prefix round trip
  assert.equal(encodeSs58(alice, 0), '15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5')
  assert.equal(encodeSs58(alice, 2), 'HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F')
  assert.deepEqual(decodeSs58(encodeSs58(alice, 1284)), { account: alice, prefix: 1284 })
  const s = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ'
  assert.throws(() => decodeSs58(s), Ss58Error)
  assert.throws(() => decodeSs58('0OIl'), Ss58Error)
})
