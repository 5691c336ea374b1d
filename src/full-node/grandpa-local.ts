// Finality for a devnet node that holds a supermajority of the GRANDPA authority keys itself: each
// finalized block gets a justification made of precommits signed by the local keys (what a GRANDPA
// round among these voters concludes). Several nodes voting over `/grandpa/1` are the next step; this
// module only builds and checks the justification. Pure.

import { toHex } from '../codec/index.ts'
import type { DevKeypair } from '../crypto/index.ts'
import type { Authority, Header } from '../header/index.ts'
import { headerHash } from '../header/index.ts'
import { encodeJustification, precommitMessage, supermajority, verifyJustification, type GrandpaJustification } from '../finality/index.ts'

/** True when the local keys alone hold the supermajority of the set's weight. */
export function holdsSupermajority(authorities: readonly Authority[], keys: readonly DevKeypair[]): boolean {
  const mine = new Set(keys.map((k) => toHex(k.publicKey)))
  const total = authorities.reduce((s, a) => s + a.weight, 0n)
  const own = authorities.filter((a) => mine.has(toHex(a.publicKey))).reduce((s, a) => s + a.weight, 0n)
  return own >= supermajority(total)
}

/** A justification for `target` in `round` of set `setId`, signed by the local authority keys (verified). */
export function localJustification(target: Header, round: bigint, set: { setId: bigint; authorities: Authority[] }, keys: readonly DevKeypair[]): { justification: GrandpaJustification; encoded: Uint8Array } {
  const hash = headerHash(target)
  const voters = new Set(set.authorities.map((a) => toHex(a.publicKey)))
  const precommits = keys
    .filter((k) => voters.has(toHex(k.publicKey)))
    .map((k) => ({ targetHash: hash, targetNumber: target.number, signature: k.sign(precommitMessage(hash, target.number, round, set.setId)), authorityId: k.publicKey }))
  const justification: GrandpaJustification = { round, targetHash: hash, targetNumber: target.number, precommits, votesAncestries: [] }
  verifyJustification(justification, set, { hash, number: target.number })
  return { justification, encoded: encodeJustification(justification) }
}
