// #27, relay side: a candidate for Polkadot Coretime (para 1005, registered in the genesis of polkadot-dev
// with two validators, Alice and Bob) is backed and then included by the relay runtime itself
// (Polkadot 9390's `ParaInherent::enter`), from the paraInherent our relay author builds: the block after
// the candidate's relay parent carries it, seconded by Alice and validated by Bob; the next carries both
// validators' availability bitfields. Judged by the runtime's own storage (`Paras::Heads` moves only
// when it enacts the candidate) and its events, decoded by @polkadot/types from the runtime's metadata
// (`ParaInclusion.CandidateBacked`, then `ParaInclusion.CandidateIncluded`), never by our code. A collation
// with a wrong validation-data hash or a bad collator signature is dropped by the runtime: the head stays.
//
// The first test's head data is a Coretime header built by the test (its genesis as parent): the relay runtime
// checks only its hash (the descriptor's `para_head`) and size. The second runs the collator's side for real:
// Coretime blocks authored by the Coretime runtime on relay parents, with the persisted validation data
// the relay runtime gives and a relay-state proof of our relay's storage (Cumulus checks it against the
// relay parent's state root), their commitments from `CollectCollationInfo`; each becomes the relay's
// para head two relay blocks later.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TypeRegistry, Metadata } from '@polkadot/types'
import { Reader, Writer, toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'
import { withGenesisParachains } from '../../src/chain-spec/relay-paras.ts'
import { withValidators } from '../../src/chain-spec/validators.ts'
import { blake2_256, sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { Runtime, type MemoryStorage } from '../../src/executor/index.ts'
import { encodeHeader, headerHash } from '../../src/header/index.ts'
import { DevChain, authorBlock } from '../../src/full-node/index.ts'
import { ParaBacking } from '../../src/full-node/para-backing.ts'
import { babeAuthoring } from '../../src/full-node/slot-authoring.ts'
import { collatorSignaturePayload, readPersistedValidationData, type CommittedCandidateReceipt } from '../../src/parachain/candidate.ts'
import { authorParachainBlock, collationOf, relayStateKeys } from '../../src/full-node/collation.ts'
import { babePreDigest } from '../../src/verify/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const PARA = 1005

/**
 * The in-process devnet both tests use: polkadot-dev for Alice and Bob with Coretime (its dev spec)
 * registered at genesis, our relay author backing what `backing` is handed; `authorRelay()` authors the
 * next relay block (the next slot one of the keys may claim).
 */
function relayDevnet() {
  const relayJson = withValidators(JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json')), ['//Alice', '//Bob'])
  const paraSpec = parseChainSpec(JSON.stringify(parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), String(relayJson.id))))
  const paraGenesis = genesisHeader(paraSpec)
  const code = genesisStorage(paraSpec.genesis as never).get(utf8(':code'))!
  const relay = new DevChain(parseChainSpec(JSON.stringify(withGenesisParachains(relayJson, [{ id: PARA, genesisHead: encodeHeader(paraGenesis), validationCode: code }]))))
  const keys = ['//Alice', '//Bob'].map(sr25519FromSuri)
  const backing = new ParaBacking(keys)
  const g = relay.bestBlock
  const rt = Runtime.load(g.state.get(utf8(':code'))!)
  const authoring = babeAuthoring(rt, g.state, keys, [], (p, s) => backing.inherent(p, s))
  let slot = BigInt(Math.floor(Date.now() / 6000)) - 1000n
  const authorRelay = () => {
    const best = relay.bestBlock
    for (;; slot++) {
      const claim = authoring.claim(slot, best.header, best.state)
      if (!claim) continue
      const { block, state } = authorBlock({ parent: best.header, parentState: best.state, ...claim, extrinsics: [] })
      relay.add(block, state)
      authoring.added(block.header)
      slot++
      return { hash: headerHash(block.header), header: block.header, state }
    }
  }
  return { relay, rt, backing, authorRelay, relaySlotMs: authoring.slotMs, paraSpec, paraGenesis, code, genesisState: g.state }
}

test('relay devnet: a Coretime candidate is backed, then included, by the relay runtime from our paraInherent', { ...needsFixtures, timeout: 180_000 }, () => {
  const { rt, backing, authorRelay: author, paraGenesis, code, genesisState: g } = relayDevnet()

  const registry = new TypeRegistry()
  const metadata = rt.call('Metadata_metadata', new Uint8Array(), { storage: g }).output
  registry.setMetadata(new Metadata(registry, new Uint8Array(metadata.subarray(varintLength(metadata)))))
  type EventRecord = { event: { section: string; method: string } }
  const events = (state: MemoryStorage) => (registry.createType('Vec<EventRecord>', new Uint8Array(state.get(storageKey('System', 'Events'))!)) as unknown as EventRecord[]).map((e) => `${e.event.section}.${e.event.method}`)
  const headKey = storageKey('Paras', 'Heads', ['Twox64Concat', new Writer(4).u32(PARA).finish()])
  const head = (state: MemoryStorage) => new Reader(state.get(headKey)!).vecU8()
  const call = (state: MemoryStorage, method: string, args: Uint8Array = new Uint8Array()) => rt.call(method, args, { storage: state }).output

  const collator = sr25519FromSuri('//Alice')
  /** A collation on relay parent `parent` (its hash and state), as a collator builds it from the relay's runtime API. */
  const collation = (parent: { header: { number: number }; state: MemoryStorage }, parentHash: Uint8Array, paraHead: Uint8Array, damage?: 'pvd' | 'signature'): CommittedCandidateReceipt => {
    const pvd = new Reader(call(parent.state, 'ParachainHost_persisted_validation_data', new Writer(5).u32(PARA).u8(0).finish()))
    assert.equal(pvd.u8(), 1)
    const pvdBytes = pvd.bytes_(pvd.remaining)
    const headData = encodeHeader({ parentHash: headerHash(paraHead), number: new Reader(paraHead.subarray(32)).compactNumber() + 1, stateRoot: new Uint8Array(32).fill(7), extrinsicsRoot: new Uint8Array(32), digest: [] })
    const fields = {
      relayParent: parentHash,
      paraId: PARA,
      persistedValidationDataHash: damage === 'pvd' ? new Uint8Array(32) : blake2_256(pvdBytes),
      povHash: blake2_256(utf8('pov')),
      validationCodeHash: blake2_256(code),
    }
    const signature = collator.sign(collatorSignaturePayload(fields))
    if (damage === 'signature') signature[0] ^= 1
    return {
      descriptor: { ...fields, collator: collator.publicKey, erasureRoot: new Uint8Array(32), signature, paraHead: blake2_256(headData) },
      commitments: { upwardMessages: [], horizontalMessages: [], headData, processedDownwardMessages: 0, hrmpWatermark: parent.header.number },
    }
  }

  let tip = author()
  assert.equal(toHex(head(tip.state)), toHex(encodeHeader(paraGenesis)), 'the genesis head at first')
  // a damaged collation is dropped by the runtime: nothing backed, the head stays
  for (const damage of ['pvd', 'signature'] as const) {
    backing.submit(collation(tip, headerHash(tip.header), head(tip.state), damage))
    tip = author()
    assert.ok(!events(tip.state).includes('paraInclusion.CandidateBacked'), `${damage}: not backed`)
    tip = author()
    assert.equal(toHex(head(tip.state)), toHex(encodeHeader(paraGenesis)), `${damage}: the head stays`)
  }

  // the real thing, twice over: backed in the next block, included in the one after
  for (let round = 1; round <= 2; round++) {
    const before = head(tip.state)
    const c = collation(tip, headerHash(tip.header), before)
    backing.submit(c)
    tip = author()
    assert.ok(events(tip.state).includes('paraInclusion.CandidateBacked'), `round ${round}: CandidateBacked in #${tip.header.number}: ${events(tip.state)}`)
    assert.equal(toHex(head(tip.state)), toHex(before), 'backed, not yet available')
    tip = author()
    assert.ok(events(tip.state).includes('paraInclusion.CandidateIncluded'), `round ${round}: CandidateIncluded in #${tip.header.number}: ${events(tip.state)}`)
    assert.equal(toHex(head(tip.state)), toHex(c.commitments.headData), `round ${round}: Paras::Heads holds the candidate's head`)
    // the runtime's view for the next candidate agrees
    const pvd = new Reader(call(tip.state, 'ParachainHost_persisted_validation_data', new Writer(5).u32(PARA).u8(0).finish()))
    assert.equal(pvd.u8(), 1)
    assert.equal(toHex(pvd.vecU8()), toHex(c.commitments.headData))
  }
})

test('relay devnet + Coretime collator: real Coretime blocks, built on relay parents with relay-state proofs, are included by the relay runtime', { ...needsFixtures, timeout: 180_000 }, () => {
  const { relay, rt, backing, authorRelay, relaySlotMs, paraSpec, code } = relayDevnet()
  const para = new DevChain(paraSpec)
  const paraSlotMs = new Reader(Runtime.load(code).call('AuraApi_slot_duration', new Uint8Array(), { storage: para.bestBlock.state }).output).u64()
  const headKey = storageKey('Paras', 'Heads', ['Twox64Concat', new Writer(4).u32(PARA).finish()])
  const alice = sr25519FromSuri('//Alice')
  authorRelay()
  for (let n = 1; n <= 3; n++) {
    // the collator: on the relay's best block, with the para's included head as parent
    const rp = relay.bestBlock
    const rpHash = headerHash(rp.header)
    const pvdOut = new Reader(rt.call('ParachainHost_persisted_validation_data', new Writer(5).u32(PARA).u8(0).finish(), { storage: rp.state! }).output)
    assert.equal(pvdOut.u8(), 1)
    const validationData = readPersistedValidationData(pvdOut)
    assert.equal(toHex(validationData.parentHead), toHex(encodeHeader(para.bestBlock.header)), 'the relay\'s head is our best block')
    const { block, state } = authorParachainBlock({
      parent: para.bestBlock.header,
      parentState: para.bestBlock.state!,
      validationData,
      relayStateProof: relay.readProof(rpHash, relayStateKeys(PARA))!,
      relaySlot: babePreDigest(rp.header).slot,
      relaySlotMs,
      slotMs: paraSlotMs,
      author: alice,
    })
    assert.equal(block.header.number, n)
    para.add(block, state)
    backing.submit(collationOf({ paraId: PARA, block, state, relayParent: rpHash, validationData, validationCodeHash: blake2_256(code), collator: alice }))
    const backed = authorRelay()
    assert.equal(toHex(backed.state.get(headKey)!), toHex(new Writer().vecU8(validationData.parentHead).finish()), 'backed, not yet included')
    const included = authorRelay()
    assert.equal(toHex(new Reader(included.state.get(headKey)!).vecU8()), toHex(encodeHeader(block.header)), `Coretime #${n} is the relay's para head`)
  }
})

/** Length of the SCALE compact prefix of `Metadata_metadata`'s `Vec<u8>` output. */
function varintLength(bytes: Uint8Array): number {
  const mode = bytes[0] & 3
  return mode === 0 ? 1 : mode === 1 ? 2 : mode === 2 ? 4 : 1 + (bytes[0] >> 2) + 4
}
