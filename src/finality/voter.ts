// A GRANDPA voter for one authority set (the finality-grandpa protocol, as a full node of a small
// network runs it): rounds of prevotes then precommits, each signed by our keys that are in the set;
// the prevote GHOST (the highest block a supermajority of prevotes builds on) is what we precommit; the
// precommit GHOST, when above our finalized block, is finalized and handed out as a justification (the
// precommits that build on it, with the headers linking them). A round is over once its precommits
// finalize something (or a commit from the network covers it); the next starts at once. A node that
// fell behind by two rounds or more (a restart) asks a peer to catch it up and, on a catch-up whose
// prevotes and precommits each hold a supermajority of valid signatures, jumps to the round after it.
// An authority that votes twice in one round and stage is an equivocator: logged, its second vote not
// counted. Pure: time (`now`, ms) and the chain come in as arguments; messages and finality come out.
//
// Timing follows Substrate: prevote 2 × gossip duration after the round starts (or once every voter
// prevoted), precommit 4 × gossip duration after it (or once every voter prevoted), both only once the
// prevote GHOST exists for the precommit.

import { Writer, bytesEqual, toHex } from '../codec/index.ts'
import { ed25519Verify } from '../crypto/index.ts'
import type { Header } from '../header/index.ts'
import { supermajority, type AuthoritySet, type GrandpaJustification } from './justification.ts'

export type VoteStage = 'prevote' | 'precommit'

export interface VoteTarget {
  targetHash: Uint8Array
  targetNumber: number
}
export interface SignedVote extends VoteTarget {
  signature: Uint8Array
  authorityId: Uint8Array
}

/** What the voter needs of the chain: headers of known blocks (any fork) and where voting stands. */
export interface VoterChain {
  header(hash: Uint8Array): Header | undefined
  finalized(): VoteTarget
  /** The block we would prevote for now: our best block, capped at the last block our set may finalize. */
  bestTarget(): VoteTarget
}

export interface VoterKey {
  publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

export interface CatchUp {
  setId: bigint
  round: bigint
  prevotes: SignedVote[]
  precommits: SignedVote[]
  baseHash: Uint8Array
  baseNumber: number
}

export type VoterOutput =
  | { kind: 'vote'; round: bigint; setId: bigint; stage: VoteStage; vote: SignedVote }
  | { kind: 'finalize'; justification: GrandpaJustification }
  | { kind: 'catchUpRequest'; peer: string; round: bigint; setId: bigint }
  | { kind: 'catchUp'; peer: string; catchUp: CatchUp }
  /** The round we vote in changed (neighbor packets tell peers). */
  | { kind: 'round'; round: bigint }
  | { kind: 'log'; line: string }

/** A message that cannot be right (bad signature, unknown voter): its sender should be reported. */
export class VoteError extends Error {
  override readonly name = 'VoteError'
}

/** The bytes a voter signs: SCALE `(Message::{Prevote=0,Precommit=1}(hash, number), round, set_id)`. */
export function voteMessage(stage: VoteStage, targetHash: Uint8Array, targetNumber: number, round: bigint, setId: bigint): Uint8Array {
  return new Writer(53).u8(stage === 'prevote' ? 0 : 1).bytes(targetHash).u32(targetNumber).u64(round).u64(setId).finish()
}

/** Rounds ahead of ours whose votes are kept until we get there. */
const FUTURE_ROUNDS = 2
/** Minimum time between two catch-up requests. */
const CATCH_UP_INTERVAL_MS = 5_000
/**
 * Our votes of a round that has not ended (and of the one just completed) are sent again this often: a
 * peer that connected after we voted (a restart, a healed partition), or that missed a precommit, would
 * otherwise never see them, and the rounds could stall.
 */
export const RESEND_VOTES_MS = 2_000

interface Round {
  number: bigint
  start: number
  base: VoteTarget
  prevotes: Map<string, SignedVote>
  precommits: Map<string, SignedVote>
  prevoted: boolean
  precommitted: boolean
  /** Our own votes in it, for sending again; when they were last sent. */
  own: { stage: VoteStage; vote: SignedVote }[]
  sentAt: number
}

export class GrandpaVoter {
  private readonly weights = new Map<string, bigint>()
  private readonly total: bigint
  private readonly threshold: bigint
  private readonly keys: VoterKey[]
  private current: Round
  private lastCompleted: Round | undefined
  /** Votes for rounds ahead of ours, by round. */
  private readonly future = new Map<bigint, { stage: VoteStage; vote: SignedVote }[]>()
  private readonly equivocators = new Set<string>()
  private lastCatchUpRequest = -Infinity
  /** Peers whose neighbor packets put them two rounds or more ahead of us (asked to catch us up, again until one does). */
  private readonly ahead = new Map<string, bigint>()

  constructor(
    readonly set: AuthoritySet,
    keys: readonly VoterKey[],
    private readonly gossipMs: number,
    chain: VoterChain,
    now: number,
    round = 1n,
  ) {
    for (const a of set.authorities) this.weights.set(toHex(a.publicKey), (this.weights.get(toHex(a.publicKey)) ?? 0n) + a.weight)
    this.total = [...this.weights.values()].reduce((s, w) => s + w, 0n)
    this.threshold = supermajority(this.total)
    this.keys = keys.filter((k) => this.weights.has(toHex(k.publicKey)))
    this.current = this.newRound(round, chain, now)
  }

  get round(): bigint {
    return this.current.number
  }
  get setId(): bigint {
    return this.set.setId
  }
  /** Whether we hold keys of this set (otherwise we only follow). */
  get voting(): boolean {
    return this.keys.length > 0
  }

  private newRound(number: bigint, chain: VoterChain, now: number): Round {
    return { number, start: now, base: chain.finalized(), prevotes: new Map(), precommits: new Map(), prevoted: false, precommitted: false, own: [], sentAt: now }
  }

  /** Time passed or the chain changed: votes due are cast, finality and round changes come out. */
  tick(chain: VoterChain, now: number): VoterOutput[] {
    const out: VoterOutput[] = []
    this.progress(chain, now, out)
    return out
  }

  /** When `tick` has something to do next (ms, absolute), if it waits for time. */
  nextWake(): number {
    const r = this.current
    const catchUp = this.ahead.size ? this.lastCatchUpRequest + CATCH_UP_INTERVAL_MS : Infinity
    if (!r.prevoted) return Math.min(catchUp, r.start + 2 * this.gossipMs)
    if (!r.precommitted) return Math.min(catchUp, r.start + 4 * this.gossipMs, r.sentAt + RESEND_VOTES_MS)
    return Math.min(catchUp, r.sentAt + RESEND_VOTES_MS)
  }

  /** A vote gossiped by a peer. Throws VoteError when it cannot be right (the sender is to blame). */
  onVote(chain: VoterChain, round: bigint, setId: bigint, stage: VoteStage | 'primaryPropose', vote: SignedVote, now: number): VoterOutput[] {
    if (setId !== this.set.setId || stage === 'primaryPropose') return []
    const out: VoterOutput[] = []
    if (round < this.current.number) {
      // a late vote of the round just completed: kept, so that a catch-up we hand out carries it
      const last = this.lastCompleted
      if (last?.number === round && !this.known(last, stage, vote)) {
        this.check(round, stage, vote)
        this.record(last, stage, vote, out)
      }
      return out
    }
    if (round > this.current.number) {
      if (round > this.current.number + BigInt(FUTURE_ROUNDS)) return out
      this.check(round, stage, vote)
      const list = this.future.get(round) ?? []
      if (list.length < 2 * this.weights.size) list.push({ stage, vote })
      this.future.set(round, list)
      return out
    }
    // votes are sent again every few seconds: one we hold already, signature and all, is not checked again
    if (this.known(this.current, stage, vote)) return out
    this.check(round, stage, vote)
    this.record(this.current, stage, vote, out)
    this.progress(chain, now, out)
    return out
  }

  /** Whether `r` holds exactly this vote already. */
  private known(r: Round, stage: VoteStage, v: SignedVote): boolean {
    const prev = (stage === 'prevote' ? r.prevotes : r.precommits).get(toHex(v.authorityId))
    return prev !== undefined && bytesEqual(prev.signature, v.signature) && bytesEqual(prev.targetHash, v.targetHash) && prev.targetNumber === v.targetNumber
  }

  private check(round: bigint, stage: VoteStage, v: SignedVote): void {
    const id = toHex(v.authorityId)
    if (!this.weights.has(id)) throw new VoteError(`vote by ${id}, not in set ${this.set.setId}`)
    if (!ed25519Verify(v.signature, voteMessage(stage, v.targetHash, v.targetNumber, round, this.set.setId), v.authorityId))
      throw new VoteError(`bad ${stage} signature by ${id} (round ${round}, set ${this.set.setId})`)
  }

  private record(r: Round, stage: VoteStage, v: SignedVote, out: VoterOutput[]): void {
    const votes = stage === 'prevote' ? r.prevotes : r.precommits
    const id = toHex(v.authorityId)
    const prev = votes.get(id)
    if (!prev) return void votes.set(id, v)
    if (bytesEqual(prev.targetHash, v.targetHash)) return
    const key = `${r.number} ${stage} ${id}`
    if (this.equivocators.has(key)) return
    this.equivocators.add(key)
    out.push({ kind: 'log', line: `GRANDPA equivocation: ${id} cast two ${stage}s in round ${r.number} of set ${this.set.setId} (#${prev.targetNumber} ${toHex(prev.targetHash)} and #${v.targetNumber} ${toHex(v.targetHash)}); the second is not counted` })
  }

  /**
   * A commit from the network finalized a block in `round` (verified by the caller, with its
   * `precommits`): a round at or past ours is over for us too. The commit's precommits join ours for that
   * round, so that a catch-up we hand out for it holds the supermajority we may not have seen ourselves.
   * Throws VoteError on a precommit that cannot be right.
   */
  commitSeen(chain: VoterChain, round: bigint, now: number, precommits: readonly SignedVote[] = []): VoterOutput[] {
    const out: VoterOutput[] = []
    if (round === this.current.number)
      for (const v of precommits) {
        if (this.known(this.current, 'precommit', v)) continue
        // checked here too: the caller may have verified an earlier commit for the same block, not this one
        this.check(round, 'precommit', v)
        this.record(this.current, 'precommit', v, out)
      }
    if (round >= this.current.number) this.complete(round, chain, now, out)
    return out
  }

  /**
   * A peer's neighbor packet: two rounds or more ahead of us in our set, we ask it to catch us up (and ask
   * again every few seconds while we are still behind: the request or its answer may be lost).
   */
  onNeighbor(peer: string, round: bigint, setId: bigint, now: number): VoterOutput[] {
    if (setId !== this.set.setId || round < this.current.number + 2n) {
      this.ahead.delete(peer)
      return []
    }
    this.ahead.set(peer, round)
    const out: VoterOutput[] = []
    this.askCatchUp(now, out)
    return out
  }

  private askCatchUp(now: number, out: VoterOutput[]): void {
    if (now - this.lastCatchUpRequest < CATCH_UP_INTERVAL_MS) return
    for (const [peer, round] of this.ahead) {
      if (round < this.current.number + 2n) {
        this.ahead.delete(peer)
        continue
      }
      this.lastCatchUpRequest = now
      // the next request goes to another peer ahead of us: this one may have nothing to give
      this.ahead.delete(peer)
      this.ahead.set(peer, round)
      out.push({ kind: 'catchUpRequest', peer, round: this.current.number, setId: this.set.setId })
      return
    }
  }

  /** A peer left: it cannot catch us up any more. */
  peerGone(peer: string): void {
    this.ahead.delete(peer)
  }

  /**
   * A peer asks to be caught up from its `round`: our last completed round, when it is later and we hold
   * a supermajority of its prevotes and of its precommits (the requester checks both; a round we left on
   * a commit may lack them, and an answer it must refuse would only get us reported).
   */
  onCatchUpRequest(peer: string, round: bigint, setId: bigint): VoterOutput[] {
    const done = this.lastCompleted
    if (setId !== this.set.setId || !done || done.number <= round) return []
    if (this.weightOf(done.prevotes) < this.threshold || this.weightOf(done.precommits) < this.threshold) return []
    return [{ kind: 'catchUp', peer, catchUp: { setId, round: done.number, prevotes: [...done.prevotes.values()], precommits: [...done.precommits.values()], baseHash: done.base.targetHash, baseNumber: done.base.targetNumber } }]
  }

  /** A catch-up from a peer: checked (signatures, supermajorities), then we move to the round after it. Throws VoteError. */
  onCatchUp(chain: VoterChain, c: CatchUp, now: number): VoterOutput[] {
    if (c.setId !== this.set.setId || c.round < this.current.number) return []
    for (const [stage, votes] of [['prevote', c.prevotes], ['precommit', c.precommits]] as const) {
      const seen = new Set<string>()
      let weight = 0n
      for (const v of votes) {
        this.check(c.round, stage, v)
        const id = toHex(v.authorityId)
        if (seen.has(id)) continue
        seen.add(id)
        weight += this.weights.get(id)!
      }
      if (weight < this.threshold) throw new VoteError(`catch-up for round ${c.round} with ${stage} weight ${weight} below ${this.threshold}`)
    }
    const out: VoterOutput[] = []
    const r: Round = { number: c.round, start: now, base: { targetHash: c.baseHash, targetNumber: c.baseNumber }, prevotes: new Map(), precommits: new Map(), prevoted: true, precommitted: true, own: [], sentAt: now }
    for (const v of c.prevotes) r.prevotes.set(toHex(v.authorityId), v)
    for (const v of c.precommits) r.precommits.set(toHex(v.authorityId), v)
    this.current = r
    this.complete(c.round, chain, now, out)
    return out
  }

  private progress(chain: VoterChain, now: number, out: VoterOutput[]): void {
    this.askCatchUp(now, out)
    const r = this.current
    // our votes again, those of the round we just left too: a peer that missed some of its precommits is
    // still in it, and the others' next round may need that peer's votes (Substrate keeps gossiping the
    // last completed round for the same reason)
    const last = this.lastCompleted?.number === r.number - 1n ? this.lastCompleted : undefined
    if ((r.own.length || last?.own.length) && now - r.sentAt >= RESEND_VOTES_MS) {
      r.sentAt = now
      for (const round of [last, r]) for (const { stage, vote } of round?.own ?? []) out.push({ kind: 'vote', round: round!.number, setId: this.set.setId, stage, vote })
    }
    for (let guard = 0; guard < 4; guard++) {
      const r = this.current
      const everyonePrevoted = this.weightOf(r.prevotes) >= this.total
      if (!r.prevoted && (now >= r.start + 2 * this.gossipMs || everyonePrevoted)) {
        r.prevoted = true
        const best = chain.bestTarget()
        // never below the round's base (our finalized block when it started)
        const target = best.targetNumber >= r.base.targetNumber ? best : r.base
        this.cast(r, 'prevote', target, out)
      }
      const pvGhost = this.ghost(chain, r.prevotes, r.base)
      if (r.prevoted && !r.precommitted && pvGhost && (now >= r.start + 4 * this.gossipMs || this.weightOf(r.prevotes) >= this.total)) {
        r.precommitted = true
        this.cast(r, 'precommit', pvGhost, out)
      }
      const pcGhost = this.ghost(chain, r.precommits, r.base)
      if (!pcGhost || !pvGhost || !r.precommitted) return
      // the precommit GHOST is final when it is on the prevote GHOST's chain
      const target = this.descends(chain, pvGhost, pcGhost) ? pcGhost : r.base
      const fin = chain.finalized()
      if (target.targetNumber > fin.targetNumber) out.push({ kind: 'finalize', justification: this.justification(chain, r, target) })
      this.complete(r.number, chain, now, out)
    }
  }

  private complete(round: bigint, chain: VoterChain, now: number, out: VoterOutput[]): void {
    // the round we were in (a commit for a later round skips ours: nothing of it to hand out)
    if (round === this.current.number) this.lastCompleted = this.current
    this.current = this.newRound(round + 1n, chain, now)
    for (const k of this.future.keys()) if (k <= round) this.future.delete(k)
    out.push({ kind: 'round', round: this.current.number })
    // votes that came early for this round
    const early = this.future.get(this.current.number)
    this.future.delete(this.current.number)
    for (const e of early ?? []) this.record(this.current, e.stage, e.vote, out)
  }

  private cast(r: Round, stage: VoteStage, target: VoteTarget, out: VoterOutput[]): void {
    for (const k of this.keys) {
      const vote: SignedVote = { targetHash: target.targetHash, targetNumber: target.targetNumber, signature: k.sign(voteMessage(stage, target.targetHash, target.targetNumber, r.number, this.set.setId)), authorityId: k.publicKey }
      this.record(r, stage, vote, out)
      r.own.push({ stage, vote })
      out.push({ kind: 'vote', round: r.number, setId: this.set.setId, stage, vote })
    }
  }

  private weightOf(votes: Map<string, SignedVote>): bigint {
    let w = 0n
    for (const id of votes.keys()) w += this.weights.get(id) ?? 0n
    return w
  }

  /**
   * The highest block at or above `base` that votes of a supermajority build on (each vote counts for
   * its target and every ancestor down to `base`); undefined when no supermajority builds on `base`.
   * Votes for blocks we do not know, or not on `base`'s chain, count for nothing (yet).
   */
  private ghost(chain: VoterChain, votes: Map<string, SignedVote>, base: VoteTarget): VoteTarget | undefined {
    const tally = new Map<string, { weight: bigint; target: VoteTarget }>()
    for (const [id, v] of votes) {
      const path = this.pathDown(chain, v, base)
      if (!path) continue
      const w = this.weights.get(id) ?? 0n
      for (const t of path) {
        const key = toHex(t.targetHash)
        const e = tally.get(key)
        if (e) e.weight += w
        else tally.set(key, { weight: w, target: t })
      }
    }
    let best: VoteTarget | undefined
    for (const { weight, target } of tally.values()) if (weight >= this.threshold && (!best || target.targetNumber > best.targetNumber)) best = target
    return best
  }

  /** The blocks from `v`'s target down to `base` (both included), or undefined when it is not on base's chain. */
  private pathDown(chain: VoterChain, v: VoteTarget, base: VoteTarget): VoteTarget[] | undefined {
    const path: VoteTarget[] = []
    let hash = v.targetHash
    let number = v.targetNumber
    while (number > base.targetNumber) {
      const h = chain.header(hash)
      if (!h || h.number !== number) return undefined
      path.push({ targetHash: hash, targetNumber: number })
      hash = h.parentHash
      number--
    }
    if (number !== base.targetNumber || !bytesEqual(hash, base.targetHash)) return undefined
    path.push(base)
    return path
  }

  private descends(chain: VoterChain, a: VoteTarget, ancestor: VoteTarget): boolean {
    return this.pathDown(chain, a, ancestor) !== undefined
  }

  /** The round's precommits that build on `target`, with the headers that link them to it. */
  private justification(chain: VoterChain, r: Round, target: VoteTarget): GrandpaJustification {
    const precommits: SignedVote[] = []
    const ancestries = new Map<string, Header>()
    for (const v of r.precommits.values()) {
      const path = this.pathDown(chain, v, target)
      if (!path) continue
      precommits.push(v)
      for (const t of path.slice(0, -1)) ancestries.set(toHex(t.targetHash), chain.header(t.targetHash)!)
    }
    const votesAncestries = [...ancestries.values()].sort((a, b) => a.number - b.number)
    return { round: r.number, targetHash: target.targetHash, targetNumber: target.targetNumber, precommits, votesAncestries }
  }
}
