// Where the light client's verification starts: the consensus parameters read from a runtime (by the
// caller, over genesis storage or call proofs — only decoding happens here) and the state a chain spec's
// lightSyncState checkpoint carries. Pure.
//
// Runtime APIs read: AuraApi_authorities / AuraApi_slot_duration (Aura), or BabeApi_configuration
// (slot duration, epoch length, c, genesis authorities and randomness, allowed slots) with
// BabeApi_current_epoch / BabeApi_next_epoch (BABE); GrandpaApi_current_set_id /
// GrandpaApi_grandpa_authorities.

import { Reader } from '../codec/index.ts'
import { readBabeEpoch, type BabeEpoch, type LightSyncState } from '../chain-spec/index.ts'
import { initialGrandpaState, type GrandpaState } from '../finality/index.ts'
import type { Authority, BabeAllowedSlots, Header } from '../header/index.ts'
import { babePreDigest, checkpointState, type BabeChainState } from '../verify/index.ts'

const ALLOWED: BabeAllowedSlots[] = ['primary', 'primaryAndSecondaryPlain', 'primaryAndSecondaryVrf']

const readAuthorities = (r: Reader): Authority[] => r.vec((x) => ({ publicKey: x.bytes_(32), weight: x.u64() }), 40)

/** `BabeApi_configuration` (sp-consensus-babe BabeConfiguration): the slot duration and the genesis epoch. */
export function decodeBabeConfiguration(bytes: Uint8Array): { slotMs: bigint; genesis: Omit<BabeEpoch, 'startSlot'> } {
  const r = new Reader(bytes)
  const slotMs = r.u64()
  const duration = r.u64()
  const c: [bigint, bigint] = [r.u64(), r.u64()]
  const authorities = readAuthorities(r)
  const randomness = r.bytes_(32)
  const allowedSlots = ALLOWED[r.variant(3)]
  return { slotMs, genesis: { epochIndex: 0n, duration, authorities, randomness, config: { c, allowedSlots } } }
}

/** `BabeApi_current_epoch` / `BabeApi_next_epoch` (sp-consensus-babe Epoch). */
export function decodeBabeEpoch(bytes: Uint8Array): BabeEpoch {
  return readBabeEpoch(new Reader(bytes))
}

/** `GrandpaApi_current_set_id` and `GrandpaApi_grandpa_authorities` outputs as a GRANDPA state. */
export function decodeGrandpaStart(setId: Uint8Array, authorities: Uint8Array): GrandpaState {
  return initialGrandpaState(new Reader(setId).u64(), readAuthorities(new Reader(authorities)))
}

/** `AuraApi_authorities` (sr25519 or ed25519 public keys). */
export function decodeAuraAuthorities(bytes: Uint8Array): Uint8Array[] {
  return new Reader(bytes).vec((r) => r.bytes_(32))
}

/**
 * The state a lightSyncState checkpoint gives: its finalized header, the BABE epochs in force there (the
 * epoch of the header's slot, and the next one when already announced), and the GRANDPA state with
 * the changes still pending at that block.
 */
export function checkpointStart(l: LightSyncState): { finalized: Header; grandpa: GrandpaState; babe: BabeChainState } {
  const c = checkpointState(l)
  const finalized = c.finalizedHeader
  const slot = babePreDigest(finalized).slot
  // the epoch the header's slot falls in: the latest one starting at or before it
  const byIndex = c.babeEpochs
  let current = byIndex[0]
  for (const e of byIndex) if (e.startSlot <= slot) current = e
  const next = byIndex.find((e) => e.epochIndex === current.epochIndex + 1n)
  const g = l.grandpaAuthoritySet
  const grandpa = initialGrandpaState(g.setId, g.currentAuthorities)
  const n = finalized.number
  for (const root of g.pendingStandardChanges.roots) if (root.number <= n) grandpa.pending.push({ effectiveAt: root.data.canonHeight + root.data.delay, authorities: root.data.nextAuthorities, forced: false })
  for (const f of g.pendingForcedChanges) if (f.canonHeight <= n) grandpa.pending.push({ effectiveAt: f.canonHeight + f.delay, authorities: f.nextAuthorities, forced: true })
  return { finalized, grandpa, babe: { current, next, disabled: [] } }
}
