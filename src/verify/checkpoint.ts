// Starting consensus state from a chain spec's `lightSyncState` checkpoint: the BABE epochs and the
// GRANDPA authority set, and verification of the checkpoint's own finalized header against the epoch
// its slot falls in. Pure.

import type { BabeEpoch, LightSyncState } from '../chain-spec/index.ts'
import type { Authority, Header } from '../header/index.ts'
import { BabeVerifyError, babePreDigest, verifyBabeHeader, type BabeVerified } from './babe.ts'

export interface CheckpointState {
  finalizedHeader: Header
  /** Every epoch the checkpoint carries, ordered by epoch index. */
  babeEpochs: BabeEpoch[]
  grandpa: { setId: bigint; authorities: Authority[] }
}

export function checkpointState(l: LightSyncState): CheckpointState {
  const babeEpochs = l.babeEpochChanges.epochs
    .flatMap((e) => (e.epoch.kind === 'regular' ? [e.epoch.epoch] : e.epoch.epochs))
    .sort((a, b) => (a.epochIndex < b.epochIndex ? -1 : a.epochIndex > b.epochIndex ? 1 : 0))
  const unique = babeEpochs.filter((e, i) => i === 0 || e.epochIndex !== babeEpochs[i - 1].epochIndex)
  return { finalizedHeader: l.finalizedBlockHeader, babeEpochs: unique, grandpa: { setId: l.grandpaAuthoritySet.setId, authorities: l.grandpaAuthoritySet.currentAuthorities } }
}

/** The epoch whose slot range contains `slot`, or undefined. */
export function epochForSlot(epochs: readonly BabeEpoch[], slot: bigint): BabeEpoch | undefined {
  return epochs.find((e) => slot >= e.startSlot && slot < e.startSlot + e.duration)
}

/** Verifies the checkpoint header's BABE pre-digest, VRF and seal against the checkpoint epochs. */
export function verifyCheckpoint(state: CheckpointState): BabeVerified {
  const slot = babePreDigest(state.finalizedHeader).slot
  const epoch = epochForSlot(state.babeEpochs, slot)
  if (!epoch) throw new BabeVerifyError('SlotBeforeEpoch', `no checkpoint epoch contains slot ${slot}`)
  return verifyBabeHeader(state.finalizedHeader, epoch)
}
