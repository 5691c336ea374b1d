// GRANDPA finality by voting, for one validator of a network: drives the pure voter
// (`finality/voter.ts`) with real time and the node's host — votes and catch-ups out on `/grandpa/1`,
// peers' votes, neighbor packets, catch-ups and commits in — and finalizes what a round concludes, once
// our verifier accepts the justification (then gossiped as a commit). A new authority set (finality
// enacting a change) gets a new voter at round 1; a set whose supermajority our keys hold alone needs
// no voting (the node finalizes locally: `active` is false then). The I/O edge of the voter.

import { bytesEqual } from '../codec/index.ts'
import type { DevKeypair } from '../crypto/index.ts'
import { GrandpaVoter, VoteError, encodeJustification, verifyJustification, type VoterChain, type VoterOutput } from '../finality/index.ts'
import { REP, encodeGrandpaCatchUp, encodeGrandpaCatchUpRequest, encodeGrandpaVote, type GrandpaGossip, type NetworkHost } from '../network/index.ts'
import type { DevChain } from './dev-chain.ts'
import type { GrandpaSets } from './grandpa-sets.ts'
import { holdsSupermajority } from './grandpa-local.ts'

/** What the node reports when GRANDPA voting among nodes finalizes a block. */
export interface FinalityStatus {
  number: number
  hash: Uint8Array
  round: bigint
  setId: bigint
  /** Precommits in the justification (one per voter). */
  precommits: number
  best: number
  forks: number
  reorgs: number
}

/** Substrate's gossip duration for GRANDPA rounds (node-template's default): prevote after 2×, precommit after 4×. */
const GOSSIP_DURATION_MS = 333
/** The longest the voter sleeps without a look at the time (votes are sent again every 2 s anyway). */
const MAX_SLEEP_MS = 10_000

export class GrandpaVoting {
  private voter: GrandpaVoter | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private votingSetId: bigint | undefined
  private stopped = false
  private readonly listeners = new Set<(s: FinalityStatus) => void>()

  constructor(
    private readonly chain: DevChain,
    private readonly host: NetworkHost,
    private readonly sets: GrandpaSets,
    private readonly keys: readonly DevKeypair[],
    private readonly log: (line: string) => void,
  ) {
    this.start()
  }

  /** Whether finality comes from voting (false: our keys alone hold the supermajority, the node finalizes locally). */
  get active(): boolean {
    return this.voter !== undefined
  }

  /** Calls `fn` each time a round finalizes a block; returns the unsubscribe. */
  onFinality(fn: (s: FinalityStatus) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Votes with the other nodes unless our keys alone hold a supermajority of the set in force. */
  private start(): void {
    const set = this.sets.finalizedSet
    this.votingSetId = set.setId
    if (holdsSupermajority(set.authorities, this.keys)) {
      this.voter = undefined
      return
    }
    this.voter = new GrandpaVoter(set, this.keys, GOSSIP_DURATION_MS, this.voterChain, Date.now())
    this.host.announceGrandpaState(set.setId, this.chain.finalized().number, this.voter.round)
    this.kick()
  }

  /** Finality moved (our round, a commit, a justification): a new set gets a new voter (or local finality). */
  finalized(): void {
    if (this.sets.finalizedSetId !== this.votingSetId) this.start()
  }

  private readonly voterChain: VoterChain = {
    header: (hash) => this.chain.block(hash)?.header,
    finalized: () => {
      const f = this.chain.finalized()
      return { targetHash: f.hash, targetNumber: f.number }
    },
    bestTarget: () => {
      // our best block, but never past the last block the voting set may finalize (a set change's end)
      const setId = this.voter?.setId ?? this.sets.finalizedSetId
      let n = this.chain.best().number
      const fin = this.chain.finalized().number
      // (a block past a second set change's start cannot be justified by any set yet)
      while (n > fin && this.sets.justifyingNow(n)?.setId !== setId) n--
      const b = this.chain.blockAt(n)!
      return { targetHash: b.hash, targetNumber: n }
    },
  }

  /** Something changed (a new block, time passed): the voter casts what is due. */
  kick(): void {
    if (!this.voter || this.stopped) return
    try {
      this.handle(this.voter.tick(this.voterChain, Date.now()))
    } catch (e) {
      // a fault of ours must not stop the node (this runs in timers and in the chain's event handlers)
      this.log(`GRANDPA voter: ${(e as Error).stack ?? e}`)
      this.schedule()
    }
  }

  private handle(outputs: VoterOutput[]): void {
    const voter = this.voter
    if (!voter) return
    for (const o of outputs) {
      switch (o.kind) {
        case 'vote':
          this.host.gossipToAuthorities(encodeGrandpaVote(o.round, o.setId, o.stage, o.vote))
          break
        case 'catchUpRequest':
          if (!this.host.sendGrandpaTo(o.peer, encodeGrandpaCatchUpRequest(o.round, o.setId))) voter.peerGone(o.peer)
          break
        case 'catchUp':
          this.host.sendGrandpaTo(o.peer, encodeGrandpaCatchUp(o.catchUp))
          break
        case 'round':
          this.host.announceGrandpaState(voter.setId, this.chain.finalized().number, o.round)
          break
        case 'log':
          this.log(o.line)
          break
        case 'finalize': {
          const j = o.justification
          if (j.targetNumber <= this.chain.finalized().number || !this.chain.block(j.targetHash)) break
          try {
            verifyJustification(j, voter.set, { hash: j.targetHash, number: j.targetNumber })
          } catch (e) {
            this.log(`GRANDPA round ${j.round}: our own justification fails verification: ${(e as Error).message}`)
            break
          }
          this.chain.finalize(j.targetHash, encodeJustification(j))
          this.host.gossipFinality(j, voter.set.setId)
          const best = this.chain.best()
          const status: FinalityStatus = { number: j.targetNumber, hash: j.targetHash, round: j.round, setId: voter.set.setId, precommits: j.precommits.length, best: best.number, forks: this.chain.forkBlocks, reorgs: this.chain.reorgs }
          for (const fn of this.listeners) fn(status)
          break
        }
      }
    }
    this.schedule()
  }

  private schedule(): void {
    clearTimeout(this.timer)
    if (!this.voter || this.stopped) return
    const wait = Math.max(10, Math.min(MAX_SLEEP_MS, this.voter.nextWake() - Date.now()))
    this.timer = setTimeout(() => this.kick(), wait)
  }

  /** GRANDPA gossip from a peer: votes, neighbor packets, catch-ups, and commits (already applied by the import side). */
  onGossip(peer: string, m: GrandpaGossip): void {
    const voter = this.voter
    if (!voter) return
    const now = Date.now()
    try {
      switch (m.kind) {
        case 'vote':
          if (m.stage !== 'primaryPropose') this.handle(voter.onVote(this.voterChain, m.round, m.setId, m.stage, m.vote, now))
          break
        case 'neighbor':
          this.handle(voter.onNeighbor(peer, m.round, m.setId, now))
          break
        case 'catchUpRequest':
          this.handle(voter.onCatchUpRequest(peer, m.round, m.setId))
          break
        case 'catchUp':
          this.handle(voter.onCatchUp(this.voterChain, m, now))
          break
        case 'commit':
          // the import side verified and applied it; a round at or past ours is over
          if (m.setId === voter.setId && bytesEqual(this.chain.blockAt(m.targetNumber)?.hash ?? new Uint8Array(), m.targetHash) && m.targetNumber <= this.chain.finalized().number)
            this.handle(voter.commitSeen(this.voterChain, m.round, now, m.precommits))
          break
      }
    } catch (e) {
      if (!(e instanceof VoteError)) throw e
      this.log(`GRANDPA message from ${peer}: ${e.message}`)
      this.host.reportPeer(peer, REP.BAD_GRANDPA)
    }
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }
}
