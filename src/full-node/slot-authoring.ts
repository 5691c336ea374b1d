// Who may author a slot, and what the block says about it, for the devnet's authoring loop: Aura (the
// slot's round-robin owner, a slot pre-digest, an Aura seal, the timestamp inherent) or BABE (a primary
// VRF claim under the threshold, else the secondary author; the BABE pre-digest and seal; the timestamp,
// BABE slot and — for relay chains — the parachains inherent over the parent header). BABE epochs
// are tracked along the chain from NextEpochData / NextConfigData exactly as the verifier tracks them
// (`verify/babe-epochs.ts`), the genesis epoch starting at block #1's slot. Pure apart from the runtime
// calls made once at construction.

import { Reader, Writer, toHex } from '../codec/index.ts'
import type { DevKeypair } from '../crypto/index.ts'
import type { MemoryStorage, Runtime } from '../executor/index.ts'
import { AURA_ENGINE, preSealHash, type Header } from '../header/index.ts'
import { decodeBabeConfiguration } from '../sync/consensus-start.ts'
import { auraSlot, babePreDigest } from '../verify/index.ts'
import { BabeChain } from './babe-chain.ts'
import { babePreRuntimeItem, claimBabeSlot, sealBabeHeader } from './babe-author.ts'
import { inherentData } from './block-builder.ts'
import { encodeParachainsInherent } from '../parachain/candidate.ts'

/** The consensus parts of a block one of our keys may author. */
export interface SlotClaim {
  preDigest: Header['digest'][number]
  inherentData: Uint8Array
  seal: (header: Header) => Header
}

export interface SlotAuthoring {
  readonly engine: 'aura' | 'babe'
  readonly slotMs: bigint
  /** BABE: slots per epoch (undefined for Aura, which has no epochs). */
  readonly epochDuration?: bigint
  /** The slot a header was authored in (after a restart the node never authors that slot again). */
  slotOf(header: Header): bigint
  /** The claim of one of our keys on `slot` above `parent` (whose state is `parentState`), or undefined when none may author it. */
  claim(slot: bigint, parent: Header, parentState: MemoryStorage): SlotClaim | undefined
  /** A block joined the chain (in order, parents first): epoch tracking. */
  added(header: Header): void
  /** BABE: the epochs along the chain, shared with the import side (blocks of other validators record theirs). */
  readonly babeEpochs?: BabeChain
}

const u64 = (v: bigint) => new Writer(8).u64(v).finish()

/** Aura: the owner of `slot` is authority `slot % n`; `keys` are ours (only authorities are kept). */
export function auraAuthoring(rt: Runtime, state: MemoryStorage, keys: DevKeypair[]): SlotAuthoring {
  const call = (m: string) => new Reader(rt.call(m, new Uint8Array(), { storage: state }).output)
  const slotMs = call('AuraApi_slot_duration').u64()
  const authorities = call('AuraApi_authorities').vec((r) => toHex(r.bytes_(32)))
  const ours = keys.filter((k) => authorities.includes(toHex(k.publicKey)))
  if (ours.length === 0) throw new SlotAuthoringError('none of the given keys is an Aura authority of this chain')
  return {
    engine: 'aura',
    slotMs,
    slotOf: auraSlot,
    claim(slot) {
      const author = ours.find((k) => toHex(k.publicKey) === authorities[Number(slot % BigInt(authorities.length))])
      if (!author) return undefined
      return {
        preDigest: { type: 'preRuntime', engine: AURA_ENGINE, payload: u64(slot) },
        inherentData: inherentData({ timstap0: u64(slot * slotMs) }),
        seal: (header) => ({ ...header, digest: [...header.digest, { type: 'seal', engine: AURA_ENGINE, payload: author.sign(preSealHash(header)) }] }),
      }
    },
    added() {},
  }
}

/** The SCALE parachains inherent (`parachn0`) of a relay block built on `parent`. */
export type ParachainsInherentSource = (parent: Header, parentState: MemoryStorage) => Uint8Array

/** The parachains inherent of a relay chain without parachain blocks to include: nothing, over the parent header. */
export const emptyParachainsInherent: ParachainsInherentSource = (parent) => encodeParachainsInherent({ bitfields: [], backedCandidates: [], parentHeader: parent })

/**
 * BABE from the runtime's `BabeApi_configuration`; `history` are the chain's blocks after genesis,
 * oldest first (a restarted devnet), replayed to know the epochs in force. Relay chains put
 * `parachains(parent, parentState)` in every block (backed candidates and bitfields, see `para-backing.ts`).
 */
export function babeAuthoring(rt: Runtime, state: MemoryStorage, keys: DevKeypair[], history: Iterable<Header>, parachains: ParachainsInherentSource = emptyParachainsInherent): SlotAuthoring {
  const conf = decodeBabeConfiguration(rt.call('BabeApi_configuration', new Uint8Array(), { storage: state }).output)
  if (!keys.some((k) => conf.genesis.authorities.some((a) => toHex(a.publicKey) === toHex(k.publicKey)))) throw new SlotAuthoringError('none of the given keys is a BABE authority of this chain')
  const epochs = new BabeChain(conf.genesis, history)
  const authoring: SlotAuthoring = {
    engine: 'babe',
    babeEpochs: epochs,
    slotMs: conf.slotMs,
    epochDuration: conf.genesis.duration,
    slotOf: (header) => babePreDigest(header).slot,
    claim(slot, parent, parentState) {
      const c = claimBabeSlot(slot, epochs.epochAbove(parent, slot), keys)
      if (!c) return undefined
      return {
        preDigest: babePreRuntimeItem(c.preDigest),
        inherentData: inherentData({ timstap0: u64(slot * conf.slotMs), babeslot: u64(slot), parachn0: parachains(parent, parentState) }),
        seal: (header) => sealBabeHeader(header, c.key),
      }
    },
    added(header) {
      epochs.added(header)
    },
  }
  return authoring
}

export class SlotAuthoringError extends Error {
  override readonly name = 'SlotAuthoringError'
}
