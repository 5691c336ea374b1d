// `/<genesis>/grandpa/1` gossip (sc-consensus-grandpa `GossipMessage`): after the one-byte roles
// handshake, each notification is one SCALE message — 0 Vote, 1 Commit, 2 Neighbor (only
// `VersionedNeighborPacket::V1`, index 1), 3 CatchUpRequest, 4 CatchUp. Block numbers are u32 (the
// chains we serve). Decoding is strict and bounded; every failure is a ProtocolError.

import { DecodeError, Reader, Writer } from '../../codec/index.ts'
import { ProtocolError } from './errors.ts'

/** At most this many votes or signatures in one commit or catch-up (far above any real set). */
export const MAX_GRANDPA_VOTES = 10_000

export interface GrandpaVoteTarget {
  targetHash: Uint8Array
  targetNumber: number
}
export interface GrandpaSignedVote extends GrandpaVoteTarget {
  signature: Uint8Array
  authorityId: Uint8Array
}

/** `GossipMessage::Commit(FullCommitMessage)`: a round's finality proof without votes ancestries. */
export interface GrandpaCommit {
  round: bigint
  setId: bigint
  targetHash: Uint8Array
  targetNumber: number
  precommits: GrandpaSignedVote[]
}

export interface GrandpaNeighbor {
  round: bigint
  setId: bigint
  finalizedHeight: number
}

export type GrandpaGossip =
  | { kind: 'vote'; round: bigint; setId: bigint; stage: 'prevote' | 'precommit' | 'primaryPropose'; vote: GrandpaSignedVote }
  | ({ kind: 'commit' } & GrandpaCommit)
  | ({ kind: 'neighbor' } & GrandpaNeighbor)
  | { kind: 'catchUpRequest'; round: bigint; setId: bigint }
  | { kind: 'catchUp'; setId: bigint; round: bigint; prevotes: GrandpaSignedVote[]; precommits: GrandpaSignedVote[]; baseHash: Uint8Array; baseNumber: number }

const STAGES = ['prevote', 'precommit', 'primaryPropose'] as const

function readTarget(r: Reader): GrandpaVoteTarget {
  return { targetHash: r.bytes_(32), targetNumber: r.u32() }
}
function readSignedVote(r: Reader): GrandpaSignedVote {
  return { ...readTarget(r), signature: r.bytes_(64), authorityId: r.bytes_(32) }
}
function readBounded<T>(r: Reader, item: (r: Reader) => T, minSize: number): T[] {
  const n = r.vecLength(minSize)
  if (n > MAX_GRANDPA_VOTES) throw new ProtocolError('TooLarge', `${n} GRANDPA votes in one message`)
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(item(r))
  return out
}

/** Decodes one grandpa notification. */
export function decodeGrandpaGossip(b: Uint8Array): GrandpaGossip {
  try {
    const r = new Reader(b)
    let m: GrandpaGossip
    switch (r.variant(5)) {
      case 0: {
        const round = r.u64()
        const setId = r.u64()
        const stage = STAGES[r.variant(3)]
        m = { kind: 'vote', round, setId, stage, vote: readSignedVote(r) }
        break
      }
      case 1: {
        const round = r.u64()
        const setId = r.u64()
        const { targetHash, targetNumber } = readTarget(r)
        const targets = readBounded(r, readTarget, 36)
        const auth = readBounded(r, (x) => ({ signature: x.bytes_(64), authorityId: x.bytes_(32) }), 96)
        if (auth.length !== targets.length) throw new ProtocolError('Malformed', `commit with ${targets.length} precommits and ${auth.length} signatures`)
        m = { kind: 'commit', round, setId, targetHash, targetNumber, precommits: targets.map((t, i) => ({ ...t, ...auth[i] })) }
        break
      }
      case 2: {
        const version = r.u8()
        if (version !== 1) throw new ProtocolError('Unsupported', `neighbor packet version ${version}`)
        m = { kind: 'neighbor', round: r.u64(), setId: r.u64(), finalizedHeight: r.u32() }
        break
      }
      case 3:
        m = { kind: 'catchUpRequest', round: r.u64(), setId: r.u64() }
        break
      default: {
        const setId = r.u64()
        const round = r.u64()
        const prevotes = readBounded(r, readSignedVote, 132)
        const precommits = readBounded(r, readSignedVote, 132)
        m = { kind: 'catchUp', setId, round, prevotes, precommits, ...(({ targetHash, targetNumber }) => ({ baseHash: targetHash, baseNumber: targetNumber }))(readTarget(r)) }
      }
    }
    r.finish()
    return m
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('Malformed', `bad grandpa message: ${e.message}`)
    throw e
  }
}

/**
 * GRANDPA neighbor packet (`GossipMessage::Neighbor(VersionedNeighborPacket::V1)`): tells a peer our
 * round, set id and finalized height, which light clients use to pick warp-sync sources.
 */
export function encodeGrandpaNeighbor(p: GrandpaNeighbor): Uint8Array {
  return new Writer(22).u8(2).u8(1).u64(p.round).u64(p.setId).u32(p.finalizedHeight).finish()
}

/**
 * GRANDPA commit gossip (`GossipMessage::Commit(FullCommitMessage { round, set_id, CompactCommit })`):
 * the target, the precommits and their (signature, authority) pairs, as peers follow finality by it.
 */
export function encodeGrandpaCommit(c: GrandpaCommit): Uint8Array {
  const w = new Writer(128 + c.precommits.length * 132).u8(1).u64(c.round).u64(c.setId).bytes(c.targetHash).u32(c.targetNumber)
  w.vec(c.precommits, (x, p) => void x.bytes(p.targetHash).u32(p.targetNumber))
  w.vec(c.precommits, (x, p) => void x.bytes(p.signature).bytes(p.authorityId))
  return w.finish()
}

/** A signed prevote or precommit (`GossipMessage::Vote(VoteMessage { round, set_id, message: SignedMessage })`). */
export function encodeGrandpaVote(round: bigint, setId: bigint, stage: 'prevote' | 'precommit', v: GrandpaSignedVote): Uint8Array {
  return new Writer(150).u8(0).u64(round).u64(setId).u8(stage === 'prevote' ? 0 : 1).bytes(v.targetHash).u32(v.targetNumber).bytes(v.signature).bytes(v.authorityId).finish()
}

/** `GossipMessage::CatchUpRequest { round, set_id }`: the sender is at `round` and asks for a later one. */
export function encodeGrandpaCatchUpRequest(round: bigint, setId: bigint): Uint8Array {
  return new Writer(17).u8(3).u64(round).u64(setId).finish()
}

/** `GossipMessage::CatchUp { set_id, message: CatchUp { round_number, prevotes, precommits, base_hash, base_number } }`. */
export function encodeGrandpaCatchUp(c: { setId: bigint; round: bigint; prevotes: GrandpaSignedVote[]; precommits: GrandpaSignedVote[]; baseHash: Uint8Array; baseNumber: number }): Uint8Array {
  const w = new Writer(64 + (c.prevotes.length + c.precommits.length) * 132).u8(4).u64(c.setId).u64(c.round)
  const vote = (x: Writer, v: GrandpaSignedVote) => void x.bytes(v.targetHash).u32(v.targetNumber).bytes(v.signature).bytes(v.authorityId)
  w.vec(c.prevotes, vote)
  w.vec(c.precommits, vote)
  return w.bytes(c.baseHash).u32(c.baseNumber).finish()
}
