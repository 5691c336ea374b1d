// The light client's sync machine on a BABE chain, from real starting points: the polkadot-dev chain
// spec's lightSyncState checkpoint (its epochs, GRANDPA set and finalized header) and its raw genesis
// (BabeApi_configuration run on the genesis runtime). Alice is polkadot-dev's only BABE and GRANDPA
// authority, so blocks above the checkpoint are authored here with her keys (primary and secondary-VRF
// claims, seals) and must pass the same verification as the chain's own headers; bit flips, wrong epochs
// and future slots must not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writer, toHex } from '../../src/codec/index.ts'
import { parseChainSpec, genesisHeader, type BabeEpoch } from '../../src/chain-spec/index.ts'
import { blake2_256, ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { BABE_ENGINE, consensusLogs, decodeBabeConsensusLog, decodeHeader, headerHash, type Header } from '../../src/header/index.ts'
import { decodeBlockResponse } from '../../src/network/index.ts'
import { babePreDigest } from '../../src/verify/index.ts'
import { EMPTY_TRIE_ROOT } from '../../src/trie/index.ts'
import { babePreRuntimeItem, claimBabeSlot, localJustification, sealBabeHeader } from '../../src/full-node/index.ts'
import { LightSync, checkpointStart, decodeBabeConfiguration, decodeGrandpaStart, type HeaderOutcome } from '../../src/sync/index.ts'
import { needsFixtures, readFixture, readFixtureText } from '../support/fixtures.ts'

const alice = sr25519FromSuri('//Alice')
const aliceGrandpa = ed25519FromSuri('//Alice')
const SLOT_MS = 6000n

/** BABE ConsensusLog::NextEpochData (variant 1): authorities and randomness of the epoch after next. */
function nextEpochData(randomness: Uint8Array): Header['digest'][number] {
  const w = new Writer(80).u8(1).compact(1).bytes(alice.publicKey).u64(1n).bytes(randomness)
  return { type: 'consensus', engine: 'BABE', payload: w.finish() }
}

/** A block by Alice on `parent` at `slot`, claimed in `epoch` (primary when `primary`, else whatever she may claim). */
function author(parent: Header, slot: bigint, epoch: BabeEpoch, logs: Header['digest'] = [], salt = 0): Header {
  const claim = claimBabeSlot(slot, epoch, [alice])
  assert.ok(claim, `Alice may author slot ${slot}`)
  const header: Header = { parentHash: headerHash(parent), number: parent.number + 1, stateRoot: blake2_256(new Uint8Array([salt, ...new Writer(8).u64(slot).finish()])), extrinsicsRoot: EMPTY_TRIE_ROOT, digest: [babePreRuntimeItem(claim.preDigest), ...logs] }
  return sealBabeHeader(header, claim.key)
}
/** The first slot from `from` whose claim by Alice is (or is not) primary. */
function slotWhere(from: bigint, epoch: BabeEpoch, primary: boolean): bigint {
  for (let s = from; ; s++) if ((claimBabeSlot(s, epoch, [alice])?.preDigest.kind === 'primary') === primary) return s
}
const inserted = (r: HeaderOutcome) => {
  assert.equal(r.kind, 'inserted', JSON.stringify(r))
  return r.kind === 'inserted' ? r.events : []
}
const invalid = (r: HeaderOutcome, code: string) => {
  assert.equal(r.kind, 'invalid')
  assert.match((r as { reason: string }).reason, new RegExp(code))
}
/** A fixture spec with raw genesis storage, and calls of its genesis runtime on that storage. */
function genesisRuntime(file: string) {
  const spec = parseChainSpec(readFixtureText('chain-specs', file))
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const storage = new MemoryStorage(spec.genesis.top, [])
  const rt = Runtime.load(storage.get(new TextEncoder().encode(':code'))!)
  return { spec, call: (m: string) => rt.call(m, new Uint8Array(), { storage }).output }
}
const flip = (h: Header, item: number, byte: number): Header => ({ ...h, digest: h.digest.map((d, i) => (i === item && 'payload' in d ? { ...d, payload: d.payload.map((b, j) => (j === byte ? b ^ 1 : b)) } : d)) })

test('BABE from the polkadot-dev checkpoint: claims, epoch changes, fork choice, rejections, GRANDPA finality', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const start = checkpointStart(spec.lightSyncState!)
  const [e0, e1] = [start.babe.current, start.babe.next!]
  assert.deepEqual([e0.epochIndex, e1.epochIndex], [0n, 1n])
  assert.deepEqual(e0.authorities.map((a) => toHex(a.publicKey)), [toHex(alice.publicKey)], 'Alice is the only BABE authority')
  const sync = new LightSync(start.finalized, start.grandpa, { kind: 'babe', slotMs: SLOT_MS, epochs: start.babe })
  const at = (slot: bigint) => Number(slot * SLOT_MS)
  const cp = start.finalized

  // three blocks in epoch 0, secondary and primary claims
  const s1 = slotWhere(e0.startSlot + 100n, e0, false)
  const b1 = author(cp, s1, e0)
  const ev1 = inserted(sync.insertHeader(b1, at(s1)))
  assert.deepEqual(ev1.map((e) => e.kind), ['newBlock', 'bestChanged'])
  const s2 = slotWhere(s1 + 1n, e0, true)
  const b2 = author(b1, s2, e0)
  inserted(sync.insertHeader(b2, at(s2)))
  assert.equal(toHex(sync.best.hash), toHex(headerHash(b2)))

  // rejections: a bad seal, a bad VRF output, a slot from the future, a block claiming an earlier slot's epoch randomness
  const s3 = slotWhere(s2 + 1n, e0, true)
  const b3 = author(b2, s3, e0)
  invalid(sync.insertHeader(flip(b3, 1, 7), at(s3)), 'BadSignature')
  invalid(sync.insertHeader(flip(b3, 0, 20), at(s3)), 'VrfVerificationFailed')
  invalid(sync.insertHeader(b3, at(s3 - 2n)), 'SlotInFuture')
  inserted(sync.insertHeader(b3, at(s3)))

  // fork choice by primary blocks: a secondary sibling chain two blocks long does not beat one primary
  const fs1 = slotWhere(s3 + 1n, e0, false)
  const f1 = author(b2, fs1, e0, [], 1)
  inserted(sync.insertHeader(f1, at(fs1)))
  const fs2 = slotWhere(fs1 + 1n, e0, false)
  const f2 = author(f1, fs2, e0, [], 1)
  inserted(sync.insertHeader(f2, at(fs2)))
  assert.equal(toHex(sync.best.hash), toHex(headerHash(b3)), 'b3 (two primaries above the checkpoint) stays best over a longer fork with one')
  assert.ok(f2.number > b3.number)

  // epoch 1 (announced by the checkpoint), whose first block announces epoch 2 with new randomness
  const r2 = blake2_256(new TextEncoder().encode('epoch 2 randomness'))
  const s4 = e1.startSlot + 3n
  const b4 = author(b3, s4, e1, [nextEpochData(r2)])
  inserted(sync.insertHeader(b4, at(s4)))
  const e2: BabeEpoch = { ...e1, epochIndex: 2n, startSlot: e1.startSlot + e1.duration, randomness: r2 }
  const s5 = e2.startSlot + 1n
  // signed as if epoch 2 had epoch 1's randomness: refused; with the announced randomness: accepted
  const wrong = author(b4, s5, { ...e2, randomness: e1.randomness })
  assert.equal(sync.insertHeader(wrong, at(s5)).kind, 'invalid')
  const b5 = author(b4, s5, e2, [nextEpochData(r2)])
  inserted(sync.insertHeader(b5, at(s5)))
  assert.equal(toHex(sync.best.hash), toHex(headerHash(b5)))

  // GRANDPA: Alice's precommits (ed25519) finalize b5; the secondary fork is pruned
  const set = sync.setAt(headerHash(b5))!
  assert.deepEqual(set.authorities.map((a) => toHex(a.publicKey)), [toHex(aliceGrandpa.publicKey)])
  const { justification } = localJustification(b5, 1n, set, [aliceGrandpa])
  const events = sync.applyJustification(justification)
  const fin = events.find((e) => e.kind === 'finalized')!
  assert.ok(fin.kind === 'finalized')
  assert.deepEqual(fin.hashes.map(toHex), [b1, b2, b3, b4, b5].map((h) => toHex(headerHash(h))))
  assert.deepEqual(new Set(fin.pruned.map(toHex)), new Set([f1, f2].map((h) => toHex(headerHash(h)))))
  // precommits by a key outside the set do not finalize anything
  const s6 = e2.startSlot + 2n
  const b6 = author(b5, s6, e2)
  inserted(sync.insertHeader(b6, at(s6)))
  const bob = ed25519FromSuri('//Bob')
  const { justification: byBob } = localJustification(b6, 1n, { setId: set.setId, authorities: [{ publicKey: bob.publicKey, weight: 1n }] }, [bob])
  assert.throws(() => sync.applyJustification(byBob))
  assert.equal(toHex(sync.finalized.hash), toHex(headerHash(b5)))
})

test('BABE from polkadot-dev genesis: the genesis runtime\'s BabeApi_configuration; epoch 0 starts at block #1', needsFixtures, () => {
  const { spec, call } = genesisRuntime('polkadot-dev.json')
  const conf = decodeBabeConfiguration(call('BabeApi_configuration'))
  assert.equal(conf.slotMs, 6000n)
  assert.equal(conf.genesis.duration, 2400n)
  const genesis = genesisHeader(spec)
  const sync = new LightSync(genesis, decodeGrandpaStart(call('GrandpaApi_current_set_id'), call('GrandpaApi_grandpa_authorities')), { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } })
  const start = 290_000_000n
  const e0: BabeEpoch = { ...conf.genesis, startSlot: start }
  const r1 = blake2_256(new Uint8Array([1]))
  const b1 = author(genesis, start, e0, [nextEpochData(r1)])
  inserted(sync.insertHeader(b1, Number(start * 6000n)))
  // epoch 1 = block #1's NextEpochData, starting one epoch after block #1's slot
  const e1: BabeEpoch = { ...e0, epochIndex: 1n, startSlot: start + 2400n, randomness: r1 }
  // block #2 starts epoch 1: it must announce epoch 2
  invalid(sync.insertHeader(author(b1, start + 2400n, e1), Number((start + 2400n) * 6000n)), 'MissingEpochChangeLog')
  const b2 = author(b1, start + 2400n, e1, [nextEpochData(blake2_256(new Uint8Array([2])))])
  inserted(sync.insertHeader(b2, Number((start + 2400n) * 6000n)))
  // a block #2 in epoch 1 that uses the genesis randomness instead is refused
  const b2bad = author(b1, start + 2401n, { ...e1, randomness: conf.genesis.randomness }, [nextEpochData(r1)])
  assert.equal(sync.insertHeader(b2bad, Number((start + 2401n) * 6000n)).kind, 'invalid')
})

test('BABE chain rules (#25) on the polkadot-dev checkpoint: slots increase, NextEpochData exactly in the first block of each epoch; honest epochs followed across 3 changes', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const start = checkpointStart(spec.lightSyncState!)
  const [e0, e1] = [start.babe.current, start.babe.next!]
  const sync = new LightSync(start.finalized, start.grandpa, { kind: 'babe', slotMs: SLOT_MS, epochs: start.babe })
  const at = (slot: bigint) => Number(slot * SLOT_MS)
  const cp = start.finalized
  const cpSlot = babePreDigest(cp).slot
  // a child in its parent's slot, or an earlier one: refused (one primary slot won would make a fork of any length)
  const s1 = slotWhere(cpSlot + 1n, e0, true)
  const b1 = author(cp, s1, e0)
  inserted(sync.insertHeader(b1, at(s1)))
  invalid(sync.insertHeader(author(b1, s1, e0, [], 7), at(s1)), 'SlotNumberNotIncreasing')
  invalid(sync.insertHeader(author(b1, s1 - 1n, e0, [], 8), at(s1)), 'SlotNumberNotIncreasing')
  // NextEpochData in a mid-epoch block (handing the next epoch to //Eve): refused
  const s2 = slotWhere(s1 + 1n, e0, true)
  invalid(sync.insertHeader(author(b1, s2, e0, [nextEpochData(blake2_256(new TextEncoder().encode('eve')))]), at(s2)), 'UnexpectedEpochChangeLog')
  const b2 = author(b1, s2, e0)
  inserted(sync.insertHeader(b2, at(s2)))
  // three epoch changes, each first block announcing the epoch after: accepted; each without: refused
  let parent = b2
  let epoch = e1
  for (let i = 0; i < 3; i++) {
    const slot = epoch.startSlot + 1n
    invalid(sync.insertHeader(author(parent, slot, epoch), at(slot)), 'MissingEpochChangeLog')
    const r = blake2_256(new TextEncoder().encode(`epoch ${epoch.epochIndex + 1n}`))
    const first = author(parent, slot, epoch, [nextEpochData(r)])
    inserted(sync.insertHeader(first, at(slot)))
    // and a second block in the same epoch, without a log
    const second = author(first, slot + 1n, epoch)
    inserted(sync.insertHeader(second, at(slot + 1n)))
    parent = second
    epoch = { ...epoch, epochIndex: epoch.epochIndex + 1n, startSlot: epoch.startSlot + epoch.duration, randomness: r }
  }
  assert.equal(toHex(sync.best.hash), toHex(headerHash(parent)))
  assert.equal(parent.number, cp.number + 2 + 6)
})

test('the recorded real Westend blocks 1-128 (sync/2 response) pass every rule from genesis: block #1 announces epoch 1, no other does', needsFixtures, () => {
  const { spec, call } = genesisRuntime('westend-genesis.json')
  const conf = decodeBabeConfiguration(call('BabeApi_configuration'))
  // Westend's genesis runtime (2019) predates GrandpaApi_current_set_id: set 0
  const westendGrandpa = decodeGrandpaStart(new Writer(8).u64(0n).finish(), call('GrandpaApi_grandpa_authorities'))
  const sync = new LightSync(genesisHeader(spec), westendGrandpa, { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } })
  const blocks = decodeBlockResponse(readFixture('recorded', 'sync', 'westend_sync2_response_blocks_1_to_128.bin')).map((d) => decodeHeader(d.header!)).sort((a, b) => a.number - b.number)
  assert.equal(blocks.length, 128)
  const lastSlot = babePreDigest(blocks[127]).slot
  for (const h of blocks) inserted(sync.insertHeader(h, Number((lastSlot + 1n) * conf.slotMs)))
  assert.equal(sync.best.header.number, 128)
  // what the rules checked on this real chain: block #1 (the first of epoch 0) announces epoch 1, no other
  // block does (epochs are 600 slots: no change inside 1-128), and every slot is above its parent's
  const announcing = blocks.filter((h) => consensusLogs(h, BABE_ENGINE).some((p) => decodeBabeConsensusLog(p).kind === 'nextEpochData')).map((h) => h.number)
  assert.deepEqual(announcing, [1])
  for (let i = 1; i < blocks.length; i++) assert.ok(babePreDigest(blocks[i]).slot > babePreDigest(blocks[i - 1]).slot)
})
