// The relay devnet's side of parachain inclusion: collations handed to the node (a collator's
// `CommittedCandidateReceipt`, through `sublight_unstable_submitCollation`) are backed and made available
// by the validators whose keys the node holds, in the `paraInherent` of the blocks it authors, and the
// relay runtime's `ParaInherent::enter` decides: it checks the validation data hash, the collator's
// signature, the code hash, the backing votes and the bitfields, then records `CandidateBacked` and, once
// a supermajority of bitfields says the candidate is available, enacts it (`CandidateIncluded`, and
// `Paras::Heads` moves). What the inherent holds for a block built on `parent`:
// - bitfields: one per validator we hold, a bit set for every core occupied by a candidate (we claim the
//   chunks we never fetched: there is no erasure coding on a devnet);
// - backed candidates: a collation built on `parent` (the runtime accepts only those) for a para whose
//   core is free by then (scheduled, or occupied by a candidate our bitfields make available), seconded
//   and validated by the members of the core's group whose keys we hold (the runtime asks for
//   min(group size, 2) votes).
// What off-chain validators would do — run the PVF on the PoV, erasure-code it, gossip statements — is
// out of scope: a devnet holding every validator key backs what its collator hands it.

import { toHex } from '../codec/index.ts'
import { storageKey, type DevKeypair } from '../crypto/index.ts'
import type { MemoryStorage } from '../executor/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import {
  bitfieldPayload,
  candidateHash,
  encodeParachainsInherent,
  statementPayload,
  type BackedCandidate,
  type CommittedCandidateReceipt,
  type SignedBitfield,
  type SigningContext,
} from '../parachain/candidate.ts'
import { decodeAvailabilityCores, decodeValidatorGroups, groupForCore } from '../parachain/host-api.ts'
import { Reader } from '../codec/index.ts'
import { runtimeAt } from './runtime-apis.ts'
import { emptyParachainsInherent } from './slot-authoring.ts'

const PARACHAINS_KEY = storageKey('Paras', 'Parachains')

/** Relay parents whose collations are kept (a collation is useful in the block right after its relay parent only). */
const RELAY_PARENTS_KEPT = 8
/** Collations kept per relay parent (one per para is used). */
const COLLATIONS_PER_PARENT = 16

export class ParaBacking {
  private readonly collations = new Map<string, CommittedCandidateReceipt[]>()

  /** `keys`: the sr25519 keys the node holds; those among the relay's validators back and sign bitfields. */
  constructor(
    private readonly keys: readonly DevKeypair[],
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** A collation for the block after its relay parent. */
  submit(c: CommittedCandidateReceipt): void {
    const key = toHex(c.descriptor.relayParent)
    const list = this.collations.get(key) ?? []
    // one per para: a newer collation for the same para replaces the older
    const i = list.findIndex((x) => x.descriptor.paraId === c.descriptor.paraId)
    if (i >= 0) list[i] = c
    else if (list.length < COLLATIONS_PER_PARENT) list.push(c)
    this.collations.delete(key)
    this.collations.set(key, list)
    while (this.collations.size > RELAY_PARENTS_KEPT) this.collations.delete(this.collations.keys().next().value!)
  }

  /** The SCALE `ParachainsInherentData` for a block built on `parent` (whose state is `parentState`). */
  inherent(parent: Header, parentState: MemoryStorage): Uint8Array {
    const parentHash = headerHash(parent)
    const collations = this.collations.get(toHex(parentHash)) ?? []
    this.collations.delete(toHex(parentHash))
    // no parachain registered (polkadot-dev as it ships): nothing to back or make available, no runtime call
    const paras = parentState.get(PARACHAINS_KEY)
    if (!paras || new Reader(paras).compact() === 0n) return emptyParachainsInherent(parent, parentState)
    const rt = runtimeAt(parentState)
    const call = (method: string, args = new Uint8Array()) => rt.call(method, args, { storage: parentState }).output
    const validators = new Reader(call('ParachainHost_validators')).vec((r) => toHex(r.bytes_(32)))
    const ours = new Map<number, DevKeypair>()
    for (const k of this.keys) {
      const i = validators.indexOf(toHex(k.publicKey))
      if (i >= 0) ours.set(i, k)
    }
    if (ours.size === 0) return emptyParachainsInherent(parent, parentState)
    const ctx: SigningContext = { sessionIndex: new Reader(call('ParachainHost_session_index_for_child')).u32(), parentHash }
    const cores = decodeAvailabilityCores(call('ParachainHost_availability_cores'))

    const bits = cores.map((c) => c.kind === 'occupied')
    const bitfields: SignedBitfield[] = []
    if (bits.some(Boolean))
      for (const [validatorIndex, k] of [...ours].sort((a, b) => a[0] - b[0])) bitfields.push({ bits, validatorIndex, signature: k.sign(bitfieldPayload(bits, ctx)) })
    // the runtime makes a candidate available with more than two thirds of the validators' bitfields
    const enacted = bitfields.length >= availabilityThreshold(validators.length)

    const backedCandidates: BackedCandidate[] = []
    if (collations.length) {
      const { groups, rotation } = decodeValidatorGroups(call('ParachainHost_validator_groups'))
      cores.forEach((core, index) => {
        const paraId = core.kind === 'scheduled' ? core.paraId : core.kind === 'occupied' && enacted ? core.nextUpOnAvailable : undefined
        const candidate = paraId === undefined ? undefined : collations.find((c) => c.descriptor.paraId === paraId)
        if (!candidate) return
        const group = groups[groupForCore(rotation, index, cores.length)] ?? []
        const hash = candidateHash(candidate)
        const validityVotes: BackedCandidate['validityVotes'] = []
        const validatorIndices = group.map((v) => {
          const k = ours.get(v)
          if (!k) return false
          const kind = validityVotes.length === 0 ? 'implicit' : 'explicit'
          validityVotes.push({ kind, signature: k.sign(statementPayload(kind, hash, ctx)) })
          return true
        })
        if (validityVotes.length < Math.min(group.length, 2)) {
          this.log(`para ${paraId}: ${validityVotes.length} backing votes of ${group.length} in its group, below the ${Math.min(group.length, 2)} needed: the collation is not backed`)
          return
        }
        backedCandidates.push({ candidate, validityVotes, validatorIndices })
      })
    }
    return encodeParachainsInherent({ bitfields, backedCandidates, parentHeader: parent })
  }
}

/** The runtime's `availability_threshold`: ⌊2n/3⌋ + (2n mod 3) bitfields (more than two thirds). */
function availabilityThreshold(n: number): number {
  return Math.floor((2 * n) / 3) + ((2 * n) % 3)
}
