// GRANDPA justifications (sc-consensus-grandpa `GrandpaJustification`): decoding and verification as a
// light client must do it — every precommit signed with ed25519 over (Precommit(target hash, target
// number), round, set id) by a distinct member of the authority set, every precommit target connected
// to the justified block through the votes ancestries (none unused), and signers holding at least the
// supermajority threshold of the set's weight. Pure; failures are GrandpaError codes.

import { DecodeError, Reader, Writer, bytesEqual, toHex } from '../codec/index.ts'
import { ed25519Verify, type SignedMessage } from '../crypto/index.ts'
import { headerHash, readHeader, writeHeader, type Authority, type Header } from '../header/index.ts'

export interface SignedPrecommit {
  targetHash: Uint8Array
  targetNumber: number
  signature: Uint8Array
  authorityId: Uint8Array
}

export interface GrandpaJustification {
  round: bigint
  targetHash: Uint8Array
  targetNumber: number
  precommits: SignedPrecommit[]
  votesAncestries: Header[]
}

export interface AuthoritySet {
  setId: bigint
  authorities: Authority[]
}

export type GrandpaErrorCode =
  | 'Malformed'
  | 'TooLarge'
  | 'UnknownVoter'
  | 'DuplicateVoter'
  | 'EquivocatingVoter'
  | 'BadSignature'
  | 'PrecommitNotDescendant'
  | 'MissingAncestry'
  | 'ExtraAncestry'
  | 'InsufficientWeight'
  | 'TargetMismatch'
  | 'MissingSetChange'
  | 'BadSetChange'
  | 'TooFarAhead'

export class GrandpaError extends Error {
  override readonly name = 'GrandpaError'
  constructor(
    readonly code: GrandpaErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Limits against hostile input. */
export const MAX_PRECOMMITS = 10_000
export const MAX_ANCESTRIES = 10_000

export function readJustification(r: Reader): GrandpaJustification {
  const round = r.u64()
  const targetHash = r.bytes_(32)
  const targetNumber = r.u32()
  const n = r.vecLength(132)
  if (n > MAX_PRECOMMITS) throw new GrandpaError('TooLarge', `${n} precommits`)
  const precommits: SignedPrecommit[] = []
  for (let i = 0; i < n; i++) precommits.push({ targetHash: r.bytes_(32), targetNumber: r.u32(), signature: r.bytes_(64), authorityId: r.bytes_(32) })
  const m = r.vecLength(98)
  if (m > MAX_ANCESTRIES) throw new GrandpaError('TooLarge', `${m} ancestry headers`)
  const votesAncestries: Header[] = []
  for (let i = 0; i < m; i++) votesAncestries.push(readHeader(r))
  return { round, targetHash, targetNumber, precommits, votesAncestries }
}

/** Decodes a SCALE justification (u32 block numbers). Throws DecodeError/GrandpaError. */
export function decodeJustification(bytes: Uint8Array): GrandpaJustification {
  const r = new Reader(bytes)
  const j = readJustification(r)
  r.finish()
  return j
}

export function writeJustification(w: Writer, j: GrandpaJustification): void {
  w.u64(j.round).bytes(j.targetHash).u32(j.targetNumber)
  w.vec(j.precommits, (x, p) => void x.bytes(p.targetHash).u32(p.targetNumber).bytes(p.signature).bytes(p.authorityId))
  w.vec(j.votesAncestries, writeHeader)
}
export function encodeJustification(j: GrandpaJustification): Uint8Array {
  const w = new Writer(1024)
  writeJustification(w, j)
  return w.finish()
}

/** The bytes a voter signs for a precommit: SCALE `(Message::Precommit(..), round, set_id)`. */
export function precommitMessage(targetHash: Uint8Array, targetNumber: number, round: bigint, setId: bigint): Uint8Array {
  return new Writer(53).u8(1).bytes(targetHash).u32(targetNumber).u64(round).u64(setId).finish()
}

/** The signatures a justification carries, as signed under set `setId` (for checking ahead of time). */
export function precommitSignatures(j: GrandpaJustification, setId: bigint): SignedMessage[] {
  return j.precommits.map((p) => ({ signature: p.signature, message: precommitMessage(p.targetHash, p.targetNumber, j.round, setId), publicKey: p.authorityId }))
}

/** GRANDPA's supermajority: total − ⌊(total − 1) / 3⌋ (finality-grandpa `VoterSet::threshold`). */
export function supermajority(total: bigint): bigint {
  return total - (total - 1n) / 3n
}

/**
 * Verifies `j` against `set`. When `expected` is given, the justification must be for that block.
 * Returns the finalized block (hash, number) with the weight that signed it, the set's threshold and
 * total weight; throws GrandpaError otherwise.
 */
export function verifyJustification(j: GrandpaJustification, set: AuthoritySet, expected?: { hash: Uint8Array; number?: number }): JustificationVerified {
  if (expected && (!bytesEqual(expected.hash, j.targetHash) || (expected.number !== undefined && expected.number !== j.targetNumber)))
    throw new GrandpaError('TargetMismatch', `justification is for #${j.targetNumber} ${toHex(j.targetHash)}, not the expected block`)
  const weights = new Map<string, bigint>()
  let total = 0n
  for (const a of set.authorities) {
    weights.set(toHex(a.publicKey), (weights.get(toHex(a.publicKey)) ?? 0n) + a.weight)
    total += a.weight
  }
  const ancestry = new Map<string, Header>()
  for (const h of j.votesAncestries) ancestry.set(toHex(headerHash(h)), h)
  const used = new Set<string>()
  const seen = new Map<string, SignedPrecommit>()
  let weight = 0n
  for (const p of j.precommits) {
    const id = toHex(p.authorityId)
    const w = weights.get(id)
    if (w === undefined) throw new GrandpaError('UnknownVoter', `precommit by ${id}, not in authority set ${set.setId}`)
    const prev = seen.get(id)
    if (prev) {
      const same = bytesEqual(prev.targetHash, p.targetHash) && prev.targetNumber === p.targetNumber
      throw new GrandpaError(same ? 'DuplicateVoter' : 'EquivocatingVoter', `${id} signed ${same ? 'twice' : 'two different precommits'}`)
    }
    seen.set(id, p)
    if (!ed25519Verify(p.signature, precommitMessage(p.targetHash, p.targetNumber, j.round, set.setId), p.authorityId))
      throw new GrandpaError('BadSignature', `invalid precommit signature by ${id} (round ${j.round}, set ${set.setId})`)
    connect(p, j, ancestry, used)
    weight += w
  }
  if (used.size !== ancestry.size) throw new GrandpaError('ExtraAncestry', `${ancestry.size - used.size} votes-ancestry headers are not needed`)
  const threshold = supermajority(total)
  if (weight < threshold) throw new GrandpaError('InsufficientWeight', `precommits hold weight ${weight}, below the threshold ${threshold} of ${total}`)
  return { hash: j.targetHash, number: j.targetNumber, weight, threshold, total }
}

export interface JustificationVerified {
  hash: Uint8Array
  number: number
  /** The weight of the voters whose precommits the justification holds. */
  weight: bigint
  /** The supermajority the weight had to reach, of the set's `total`. */
  threshold: bigint
  total: bigint
}

/** Walks from a precommit's target back to the justified block through the ancestry headers. */
function connect(p: SignedPrecommit, j: GrandpaJustification, ancestry: Map<string, Header>, used: Set<string>): void {
  let hash = p.targetHash
  let number = p.targetNumber
  for (;;) {
    if (bytesEqual(hash, j.targetHash)) {
      if (number !== j.targetNumber) throw new GrandpaError('PrecommitNotDescendant', 'precommit target number disagrees with the justified block')
      return
    }
    if (number <= j.targetNumber) throw new GrandpaError('PrecommitNotDescendant', `precommit for #${p.targetNumber} does not descend from #${j.targetNumber}`)
    const key = toHex(hash)
    const h = ancestry.get(key)
    if (!h) throw new GrandpaError('MissingAncestry', `no ancestry header for ${key} (#${number})`)
    if (h.number !== number) throw new GrandpaError('PrecommitNotDescendant', `ancestry header ${key} has number ${h.number}, expected ${number}`)
    used.add(key)
    hash = h.parentHash
    number = h.number - 1
  }
}

export { DecodeError }
