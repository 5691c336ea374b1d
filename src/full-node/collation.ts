// A collator's work for one parachain block, on a Cumulus runtime with Aura (Polkadot Coretime, para
// 1005): the relay-chain state keys Cumulus reads from its relay parent (`relayStateKeys`: host
// configuration, BABE slot and randomness, this para's head, message queue heads and channel indexes,
// code upgrade signals — those the relay lacks are proven absent), the parachain inherent (`sysi1337`:
// the persisted validation data the relay runtime gives for the para, and that proof), the block itself
// (Aura pre-digest and seal, timestamp at the relay parent's slot time), and the candidate the relay is
// handed: the descriptor signed by the collator and the commitments the runtime reports through
// `CollectCollationInfo`. Downward and horizontal messages are not carried (a devnet relay sends none).
// The PoV hash is blake2-256 of the SCALE block: the relay runtime never sees the PoV, and no validator
// runs the parachain's validation function here. Pure apart from the runtime calls it makes.

import { Reader, Writer, concatBytes, utf8 } from '../codec/index.ts'
import { blake2_256, storageKey, type DevKeypair } from '../crypto/index.ts'
import { Runtime, type MemoryStorage } from '../executor/index.ts'
import { AURA_ENGINE, encodeHeader, preSealHash, type Header } from '../header/index.ts'
import { authorBlock, encodeBlock, inherentData, type Authored } from './block-builder.ts'
import { collatorSignaturePayload, encodePersistedValidationData, type CommittedCandidateReceipt, type PersistedValidationData } from '../parachain/candidate.ts'

const u32 = (v: number) => new Writer(4).u32(v).finish()
const u64 = (v: bigint) => new Writer(8).u64(v).finish()

/** The relay-chain keys a Cumulus runtime reads from its relay-state proof (polkadot primitives' `well_known_keys`). */
export function relayStateKeys(paraId: number): Uint8Array[] {
  const id = u32(paraId)
  return [
    storageKey('Configuration', 'ActiveConfig'),
    storageKey('Babe', 'CurrentSlot'),
    storageKey('Babe', 'EpochIndex'),
    storageKey('Babe', 'Randomness'),
    storageKey('Babe', 'NextRandomness'),
    storageKey('Babe', 'Authorities'),
    storageKey('Paras', 'Heads', ['Twox64Concat', id]),
    storageKey('Paras', 'UpgradeGoAheadSignal', ['Twox64Concat', id]),
    storageKey('Paras', 'UpgradeRestrictionSignal', ['Twox64Concat', id]),
    storageKey('Dmp', 'DownwardMessageQueueHeads', ['Twox64Concat', id]),
    storageKey('Ump', 'RelayDispatchQueueSize', ['Twox64Concat', id]),
    concatBytes(utf8(':relay_dispatch_queue_remaining_capacity'), id),
    storageKey('Hrmp', 'HrmpIngressChannelsIndex', ['Twox64Concat', id]),
    storageKey('Hrmp', 'HrmpEgressChannelsIndex', ['Twox64Concat', id]),
  ]
}

/** SCALE `ParachainInherentData` without messages: the validation data and the relay-state proof (a SCALE list of trie nodes). */
export function encodeParachainInherentData(validationData: PersistedValidationData, relayStateProof: Uint8Array): Uint8Array {
  return concatBytes(encodePersistedValidationData(validationData), relayStateProof, new Writer(2).compact(0).compact(0).finish())
}

export interface ParachainBlockParams {
  parent: Header
  parentState: MemoryStorage
  /** What the relay runtime gives for the para at the relay parent (`ParachainHost_persisted_validation_data`, `Included`). */
  validationData: PersistedValidationData
  /** The SCALE proof of `relayStateKeys` at the relay parent. */
  relayStateProof: Uint8Array
  /** The relay parent's slot and slot duration: the block's timestamp is that slot's start. */
  relaySlot: bigint
  relaySlotMs: bigint
  /** The parachain's Aura slot duration. */
  slotMs: bigint
  /** The Aura authority authoring (it must own the slot). */
  author: DevKeypair
  extrinsics?: Uint8Array[]
}

/** The parachain's Aura slot at a relay slot's start (`slotMs`: the parachain's slot duration). */
export function paraSlotAt(relaySlot: bigint, relaySlotMs: bigint, slotMs: bigint): bigint {
  return (relaySlot * relaySlotMs) / slotMs
}

/** Authors a parachain block: Aura slot of the relay parent's time, timestamp and parachain inherents. Throws ExecutorError. */
export function authorParachainBlock(p: ParachainBlockParams): Authored {
  const timestampMs = p.relaySlot * p.relaySlotMs
  const slot = paraSlotAt(p.relaySlot, p.relaySlotMs, p.slotMs)
  return authorBlock({
    parent: p.parent,
    parentState: p.parentState,
    preDigest: { type: 'preRuntime', engine: AURA_ENGINE, payload: u64(slot) },
    inherentData: inherentData({ timstap0: u64(timestampMs), sysi1337: encodeParachainInherentData(p.validationData, p.relayStateProof) }),
    extrinsics: p.extrinsics,
    seal: (header) => ({ ...header, digest: [...header.digest, { type: 'seal', engine: AURA_ENGINE, payload: p.author.sign(preSealHash(header)) }] }),
  })
}

export interface CollationParams {
  paraId: number
  block: { header: Header; body: Uint8Array[] }
  /** The block's post-state (asked for its collation info). */
  state: MemoryStorage
  relayParent: Uint8Array
  validationData: PersistedValidationData
  validationCodeHash: Uint8Array
  collator: DevKeypair
}

/**
 * The candidate for a parachain block: commitments from the runtime's `CollectCollationInfo` (upward and
 * horizontal messages, code upgrade, processed downward messages, HRMP watermark, head data) and the
 * descriptor signed by `collator`. Throws ExecutorError, or DecodeError on a runtime without the API.
 */
export function collationOf(p: CollationParams): CommittedCandidateReceipt {
  const rt = Runtime.load(p.state.get(utf8(':code'))!)
  const r = new Reader(rt.call('CollectCollationInfo_collect_collation_info', encodeHeader(p.block.header), { storage: p.state }).output)
  const upwardMessages = r.vec((x) => x.vecU8())
  const horizontalMessages = r.vec((x) => ({ recipient: x.u32(), data: x.vecU8() }), 5)
  const newValidationCode = r.option((x) => x.vecU8())
  const processedDownwardMessages = r.u32()
  const hrmpWatermark = r.u32()
  // CollationInfo v2 ends with the head data; v1 runtimes leave it out (it is the header itself)
  const headData = r.remaining > 0 ? r.vecU8() : encodeHeader(p.block.header)
  const fields = {
    relayParent: p.relayParent,
    paraId: p.paraId,
    persistedValidationDataHash: blake2_256(encodePersistedValidationData(p.validationData)),
    povHash: blake2_256(encodeBlock(p.block)),
    validationCodeHash: p.validationCodeHash,
  }
  return {
    descriptor: { ...fields, collator: p.collator.publicKey, erasureRoot: new Uint8Array(32), signature: p.collator.sign(collatorSignaturePayload(fields)), paraHead: blake2_256(headData) },
    commitments: { upwardMessages, horizontalMessages, newValidationCode, headData, processedDownwardMessages, hrmpWatermark },
  }
}
