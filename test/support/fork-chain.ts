// A chain that forks, for tests of what sits on top of the light client's view: blocks go through the
// light client's own fork-tree machine (`LightSync`, parachain mode: no seals to forge; the best block is
// the longest chain's, first seen on a tie) and header store (`KnownBlocks`), so events, their order and
// pruning are the ones the light client produces. Serves a
// `ChainAccess` (chainHead, legacy) and a `TransactionsChain` (bodies the test sets, a runtime whose
// validity answer the test sets).
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { blake2_64, blake2_256 } from '../../src/crypto/index.ts'
import { utf8 } from '../../src/codec/index.ts'
import { headerHash, type Header } from '../../src/header/index.ts'
import { initialGrandpaState } from '../../src/finality/index.ts'
import { LightSync, type LightSyncEvent } from '../../src/sync/index.ts'
import { KnownBlocks } from '../../src/light-client/known-blocks.ts'
import type { ChainAccess } from '../../src/json-rpc/index.ts'
import type { TransactionsChain } from '../../src/light-client/transactions-service.ts'

let salt = 0

/** `TransactionValidity` bytes as the runtime returns them (SCALE, written out here by hand). */
export const VALID = (provides: number, longevity = 64n) => {
  const u64 = (n: bigint) => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n))
  return new Uint8Array([0x00, ...u64(1n), 0x00, 0x04, 0x04, provides, ...u64(longevity), 0x01])
}
/** Err(Invalid(Stale)): "Transaction is outdated". */
export const STALE = new Uint8Array([0x01, 0x00, 0x03])

export function forkChain() {
  const genesis: Header = { parentHash: new Uint8Array(32), number: 0, stateRoot: new Uint8Array(32).fill(9), extrinsicsRoot: new Uint8Array(32), digest: [] }
  const sync = new LightSync(genesis, initialGrandpaState(0n, []), { kind: 'relay' })
  const blocks = new KnownBlocks()
  blocks.addRoot(headerHash(genesis), genesis)
  const bodies = new Map<string, Uint8Array[]>()
  const listeners = new Set<(e: LightSyncEvent) => void>()
  const emit = (events: LightSyncEvent[]) => {
    for (const e of events) for (const l of listeners) l(e)
  }
  /** What `TaggedTransactionQueue_validate_transaction` answers (the test changes it). */
  const runtime = { validity: VALID(1), calls: 0 }
  const gossiped: Uint8Array[] = []
  const chain: ChainAccess & TransactionsChain = {
    genesisHash: headerHash(genesis),
    ready: Promise.resolve(),
    finalized: () => sync.finalized,
    best: () => sync.best,
    blocksAbove: () => sync.blocksAbove(),
    hashAt: (n) => {
      for (let b = sync.best as { hash: Uint8Array; header: Header } | undefined; b; b = sync.block(b.header.parentHash)) if (b.header.number === n) return b.hash
      return blocks.finalizedAt(n)
    },
    *bestChain() {
      for (let b = sync.best as { hash: Uint8Array; header: Header } | undefined; b; b = sync.block(b.header.parentHash)) yield b.hash
    },
    header: (h) => sync.block(h)?.header ?? blocks.header(h),
    onEvent: (fn) => {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    pin: (h) => blocks.pin(h),
    unpin: (h) => blocks.unpin(h),
    body: async (h) => bodies.get(toHex(h)) ?? [],
    storage: async (_h, keys) => keys.map(() => undefined),
    closestDescendantMerkleValue: async () => undefined,
    descendants: async function* () {},
    readProof: async () => [],
    call: async (_h, method) => {
      assert.equal(method, 'TaggedTransactionQueue_validate_transaction')
      runtime.calls++
      return runtime.validity
    },
    runtimeVersion: async () => ({ specName: 'fake', implName: 'fake', authoringVersion: 1, specVersion: 1, implVersion: 1, apis: [[blake2_64(utf8('TaggedTransactionQueue')), 3]], transactionVersion: 1, stateVersion: 1 }),
    runtimeChanged: () => false,
    gossipTransactions: (txs) => {
      gossiped.push(...txs)
      return ['peer']
    },
  }
  /** Adds a child of `parent` whose body is `body`. */
  const add = (parent: Header, body: Uint8Array[] = []): Header => {
    const h: Header = { parentHash: headerHash(parent), number: parent.number + 1, stateRoot: blake2_256(new Uint8Array([salt & 255, (salt >> 8) & 255, (salt++ >> 16) & 255])), extrinsicsRoot: new Uint8Array(32), digest: [] }
    bodies.set(toHex(headerHash(h)), body)
    const best = sync.best.header.number
    const r = sync.insertHeader(h, 0)
    assert.equal(r.kind, 'inserted')
    if (r.kind === 'inserted') {
      blocks.add(headerHash(h), h)
      // the fork choice of these tests: the longest chain, the first seen on a tie
      emit([...r.events, ...(h.number > best ? sync.setBestVouched(headerHash(h)) : [])])
    }
    return h
  }
  const chainOf = (parent: Header, n: number, body: (i: number) => Uint8Array[] = () => []) => {
    const out: Header[] = []
    for (let i = 0; i < n; i++) out.push((parent = add(parent, body(i))))
    return out
  }
  const finalize = (h: Header) => {
    const events = sync.finalizeVouched(headerHash(h))
    for (const e of events) if (e.kind === 'finalized') for (const x of e.hashes) blocks.addFinalized(x)
    emit(events)
  }
  return { chain, genesis, add, chainOf, finalize, blocks, runtime, gossiped, emit }
}
