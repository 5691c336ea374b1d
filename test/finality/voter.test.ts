// The GRANDPA voter as a pure machine: four voters (Alice, Bob, Charlie, Dave, weight 1 each) on one
// chain, their messages delivered by the test on a virtual clock. Checked with the verifier that checks
// real Westend and Polkadot justifications (`verifyJustification`), never with the voter's own view:
// four voters finalize with ≥ 3 precommits; three still do; two cannot (the threshold is 3 of 4); a
// voter that missed rounds catches up from a peer's catch-up and votes again; forks make the prevote
// GHOST their common ancestor; an equivocation is logged and counted once; a vote with a bad signature
// is refused with VoteError. A voter that left its last round on a peer's commit (lost precommits) still
// hands out a catch-up the requester accepts, and never one it must refuse.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { ed25519FromSuri } from '../../src/crypto/index.ts'
import { headerHash, type Header } from '../../src/header/index.ts'
import { GrandpaVoter, VoteError, verifyJustification, voteMessage, type AuthoritySet, type GrandpaJustification, type VoterChain, type VoterOutput } from '../../src/finality/index.ts'

const NAMES = ['//Alice', '//Bob', '//Charlie', '//Dave']
const keys = NAMES.map(ed25519FromSuri)
const SET: AuthoritySet = { setId: 0n, authorities: keys.map((k) => ({ publicKey: k.publicKey, weight: 1n })) }
const G = 100 // gossip duration, ms

/** A block tree of plain headers; `best` and `finalized` as a node sees them. */
class Tree implements VoterChain {
  readonly genesis: Header = { parentHash: new Uint8Array(32), number: 0, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [] }
  fin = { targetHash: headerHash(this.genesis), targetNumber: 0 }
  best = this.fin
  /** Headers may be shared between nodes' views (each has its own best and finalized block). */
  constructor(readonly headers = new Map<string, Header>()) {
    this.headers.set(toHex(headerHash(this.genesis)), this.genesis)
  }
  /** Another node's view of the same blocks. */
  view(): Tree {
    const t = new Tree(this.headers)
    t.fin = this.fin
    t.best = this.best
    return t
  }
  /** A child of `parent` (salt tells siblings apart); returns its hash. */
  child(parent: Uint8Array, salt = 0): Uint8Array {
    const p = this.headers.get(toHex(parent))!
    const h: Header = { parentHash: parent, number: p.number + 1, stateRoot: new Uint8Array(32).fill(salt), extrinsicsRoot: new Uint8Array(32), digest: [] }
    const hash = headerHash(h)
    this.headers.set(toHex(hash), h)
    return hash
  }
  chain(from: Uint8Array, n: number, salt = 0): Uint8Array {
    let h = from
    for (let i = 0; i < n; i++) h = this.child(h, salt)
    return h
  }
  target(hash: Uint8Array) {
    return { targetHash: hash, targetNumber: this.headers.get(toHex(hash))!.number }
  }
  header = (hash: Uint8Array) => this.headers.get(toHex(hash))
  finalized = () => this.fin
  bestTarget = () => this.best
}

interface Node {
  id: number
  voter: GrandpaVoter
  tree: Tree
  online: boolean
  finalized: GrandpaJustification[]
  logs: string[]
}

/**
 * Runs the nodes on a virtual clock until `until` ms, delivering every output to the online nodes. At the
 * start every node tells the others its round (the neighbor packet sent when a substream opens).
 */
interface RunOptions {
  /** A finalizing node also gossips its commit (the justification): the others apply it and leave the round. */
  commits?: boolean
  /** Messages lost on the way from `from` to `to`. */
  drop?: (from: number, to: number, o: VoterOutput) => boolean
  /** Stops the run early, once this holds. */
  stop?: () => boolean
}

function run(nodes: Node[], clock: { now: number }, until: number, opts: RunOptions = {}): void {
  type Message = VoterOutput | { kind: 'commit'; justification: GrandpaJustification }
  const queue: { from: number; o: Message }[] = nodes.filter((n) => n.online).map((n) => ({ from: n.id, o: { kind: 'round', round: n.voter.round } }))
  const take = (n: Node, outs: VoterOutput[]) => {
    for (const o of outs) {
      if (o.kind === 'finalize') {
        n.finalized.push(o.justification)
        n.tree.fin = n.tree.target(o.justification.targetHash)
        if (opts.commits) queue.push({ from: n.id, o: { kind: 'commit', justification: o.justification } })
      } else if (o.kind === 'log') n.logs.push(o.line)
      else queue.push({ from: n.id, o })
    }
  }
  for (; clock.now <= until && !opts.stop?.(); clock.now += 10) {
    for (const n of nodes) if (n.online) take(n, n.voter.tick(n.tree, clock.now))
    while (queue.length) {
      const { from, o } = queue.shift()!
      for (const n of nodes) {
        if (!n.online || n.id === from) continue
        if (o.kind === 'commit') {
          // the import side: a commit that verifies finalizes its target, then the voter hears of it
          const j = o.justification
          verifyJustification(j, SET)
          if (j.targetNumber > n.tree.fin.targetNumber) n.tree.fin = n.tree.target(j.targetHash)
          take(n, n.voter.commitSeen(n.tree, j.round, clock.now, j.precommits))
          continue
        }
        if (opts.drop?.(from, n.id, o)) continue
        if (o.kind === 'vote') take(n, n.voter.onVote(n.tree, o.round, o.setId, o.stage, o.vote, clock.now))
        else if (o.kind === 'round') take(n, n.voter.onNeighbor(`n${from}`, o.round, n.voter.setId, clock.now))
        else if (o.kind === 'catchUpRequest' && o.peer === `n${n.id}`) take(n, n.voter.onCatchUpRequest(`n${from}`, o.round, o.setId))
        else if (o.kind === 'catchUp' && o.peer === `n${n.id}`) take(n, n.voter.onCatchUp(n.tree, o.catchUp, clock.now))
      }
    }
  }
}

/** Four nodes with their own views of `tree`'s blocks; `tree.best` is set on every view by `setBest`. */
function network(count: number, tree: Tree, clock: { now: number }): Node[] {
  return keys.map((k, id) => {
    const view = tree.view()
    return { id, voter: new GrandpaVoter(SET, [k], G, view, clock.now), tree: view, online: id < count, finalized: [], logs: [] }
  })
}
function setBest(nodes: Node[], best: { targetHash: Uint8Array; targetNumber: number }): void {
  for (const n of nodes) n.tree.best = best
}

test('voter: four voters finalize the best block with ≥ 3 precommits; each justification verifies', () => {
  const tree = new Tree()
  const clock = { now: 0 }
  const nodes = network(4, tree, clock)
  const b5 = tree.chain(tree.fin.targetHash, 5)
  setBest(nodes, tree.target(b5))
  run(nodes, clock, 2_000)
  for (const n of nodes) {
    assert.ok(n.finalized.length >= 1, `node ${n.id} finalized`)
    const j = n.finalized[0]
    assert.equal(toHex(j.targetHash), toHex(b5))
    const v = verifyJustification(j, SET, { hash: b5, number: 5 })
    assert.ok(v.weight >= 3n && j.precommits.length >= 3)
  }
  assert.ok(nodes.every((n) => toHex(n.tree.fin.targetHash) === toHex(b5)))
  assert.ok(nodes.every((n) => n.voter.round > 1n), 'the round moved on')
})

test('voter: three of four still finalize; two of four cannot, until a third comes back (caught up)', () => {
  const tree = new Tree()
  const clock = { now: 0 }
  const nodes = network(3, tree, clock)
  setBest(nodes, tree.target(tree.chain(tree.fin.targetHash, 3)))
  run(nodes, clock, 2_000)
  assert.equal(nodes[0].tree.fin.targetNumber, 3, 'three voters hold the threshold (3 of 4)')
  const j = nodes[0].finalized.at(-1)!
  assert.equal(verifyJustification(j, SET).weight, 3n)

  // Charlie leaves: two voters, finality stalls while blocks go on
  nodes[2].online = false
  setBest(nodes, tree.target(tree.chain(nodes[0].tree.best.targetHash, 4)))
  const before = nodes[0].finalized.length
  run(nodes, clock, 6_000)
  assert.equal(nodes[0].finalized.length, before, 'no finality with 2 of 4')
  assert.equal(nodes[0].tree.fin.targetNumber, 3)
  const stalledRound = nodes[0].voter.round

  // Dave joins fresh (round 1): the others' neighbor rounds are ahead, he asks to be caught up and votes
  nodes[3].online = true
  nodes[3].tree = nodes[0].tree.view()
  nodes[3].voter = new GrandpaVoter(SET, [keys[3]], G, nodes[3].tree, clock.now)
  // a catch-up needs a completed round: the stalled round is not, so Dave catches up to it
  run(nodes, clock, 12_000)
  assert.ok(nodes[3].voter.round >= stalledRound, `Dave caught up to round ${nodes[3].voter.round} (stalled at ${stalledRound})`)
  assert.equal(nodes[0].tree.fin.targetNumber, 7, 'three voters again: finality reaches the best block')
  const last = nodes[0].finalized.at(-1)!
  const signers = new Set(last.precommits.map((p) => toHex(p.authorityId)))
  assert.ok(signers.has(toHex(keys[3].publicKey)), 'Dave’s precommit is in the justification')
  verifyJustification(last, SET, { hash: nodes[0].tree.fin.targetHash })
})

test('voter: a voter that left its last round on a commit catches a restarted voter up with the commit’s precommits', () => {
  const tree = new Tree()
  const clock = { now: 0 }
  const nodes = network(3, tree, clock)
  setBest(nodes, tree.target(tree.chain(tree.fin.targetHash, 3)))
  run(nodes, clock, 2_000, { commits: true })
  assert.equal(nodes[0].tree.fin.targetNumber, 3)
  assert.ok(nodes[0].voter.round >= 3n, 'rounds went on')

  // Alice stops hearing Charlie's precommits: she holds 2 of the 3 that finalize #4, and leaves that round
  // on Bob's or Charlie's commit; Bob leaves right after, so that round is the last one completed
  const drop = (from: number, to: number, o: VoterOutput) => from === 2 && to === 0 && o.kind === 'vote' && o.stage === 'precommit'
  const own = nodes[0].finalized.length
  setBest(nodes, tree.target(tree.chain(nodes[0].tree.best.targetHash, 1)))
  run(nodes, clock, 4_000, { commits: true, drop, stop: () => nodes[0].tree.fin.targetNumber === 4 })
  assert.equal(nodes[0].tree.fin.targetNumber, 4)
  assert.equal(nodes[0].finalized.length, own, 'Alice did not finalize #4 herself: she took the commit')
  nodes[1].online = false
  setBest(nodes, tree.target(tree.chain(nodes[0].tree.best.targetHash, 3)))
  run(nodes, clock, clock.now + 2_000, { commits: true, drop })
  assert.equal(nodes[0].tree.fin.targetNumber, 4, 'no finality with 2 of 4')

  // Dave restarts from round 1 and asks Alice first (her neighbor packet comes first): her last round holds
  // 3 precommits only because the commit's joined hers; she would have sent 2 (and been reported) before
  nodes[3].online = true
  nodes[3].tree = nodes[0].tree.view()
  nodes[3].voter = new GrandpaVoter(SET, [keys[3]], G, nodes[3].tree, clock.now)
  run(nodes, clock, clock.now + 3_000, { commits: true, drop })
  assert.equal(nodes[3].tree.fin.targetNumber, 7, 'Dave caught up and finality reached the best block')
  assert.equal(nodes[0].tree.fin.targetNumber, 7)
  assert.equal(nodes[3].logs.length, 0)
  verifyJustification(nodes[3].finalized.at(-1)!, SET, { hash: nodes[3].tree.fin.targetHash })
})

test('voter: no catch-up from a round without both supermajorities; a late vote of the last round is kept', () => {
  const tree = new Tree()
  const b1 = tree.chain(tree.fin.targetHash, 1)
  tree.best = tree.target(b1)
  const alice = new GrandpaVoter(SET, [keys[0]], G, tree, 0)
  const signed = (k: (typeof keys)[number], stage: 'prevote' | 'precommit', round: bigint) => ({ ...tree.target(b1), signature: k.sign(voteMessage(stage, b1, 1, round, 0n)), authorityId: k.publicKey })
  // round 1 ends on a commit (Bob, Charlie, Dave) that Alice did not take part in: she holds no prevotes of it
  const commit = [1, 2, 3].map((i) => signed(keys[i], 'precommit', 1n))
  tree.fin = tree.target(b1)
  alice.commitSeen(tree, 1n, 0, commit)
  assert.equal(alice.round, 2n)
  assert.deepEqual(alice.onCatchUpRequest('peer', 0n, 0n), [], 'prevotes below the threshold: nothing to give')
  // the prevotes of round 1 arrive late, and are kept for the catch-up
  for (const i of [1, 2]) assert.deepEqual(alice.onVote(tree, 1n, 0n, 'prevote', signed(keys[i], 'prevote', 1n), 10), [])
  assert.deepEqual(alice.onCatchUpRequest('peer', 0n, 0n), [], 'two prevotes are still too few')
  alice.onVote(tree, 1n, 0n, 'prevote', signed(keys[3], 'prevote', 1n), 10)
  const [answer] = alice.onCatchUpRequest('peer', 0n, 0n)
  assert.ok(answer?.kind === 'catchUp')
  assert.equal(answer.catchUp.round, 1n)
  assert.deepEqual(answer.catchUp.precommits.map((v) => toHex(v.authorityId)).sort(), commit.map((v) => toHex(v.authorityId)).sort())
  // the requester accepts it
  const dave = new GrandpaVoter(SET, [keys[3]], G, tree.view(), 20)
  dave.onCatchUp(tree, answer.catchUp, 20)
  assert.equal(dave.round, 2n)
  // a late vote with a bad signature is still refused
  assert.throws(() => alice.onVote(tree, 1n, 0n, 'precommit', { ...signed(keys[0], 'precommit', 1n), signature: new Uint8Array(64) }, 30), VoteError)
  // so is a forged precommit in a commit
  const bob = new GrandpaVoter(SET, [keys[1]], G, tree.view(), 0)
  assert.throws(() => bob.commitSeen(tree, 1n, 0, [{ ...commit[0], signature: new Uint8Array(64) }]), VoteError)
})

test('voter: on two forks, the prevote GHOST is their common ancestor', () => {
  const tree = new Tree()
  const clock = { now: 0 }
  const nodes = network(4, tree, clock)
  const common = tree.chain(tree.fin.targetHash, 2)
  const left = tree.chain(common, 2, 1)
  const right = tree.chain(common, 3, 2)
  // each node votes for its own best: two on each fork
  const trees = nodes.map((n, i) => {
    n.tree.best = tree.target(i < 2 ? left : right)
    return n.tree
  })
  run(nodes, clock, 1_000)
  for (const t of trees) assert.equal(toHex(t.fin.targetHash), toHex(common), 'finality stops where the forks split')
})

test('voter: an equivocation is logged and counted once; a bad signature is refused', () => {
  const tree = new Tree()
  const a = tree.chain(tree.fin.targetHash, 1, 1)
  const b = tree.chain(tree.fin.targetHash, 1, 2)
  const voter = new GrandpaVoter(SET, [keys[0]], G, tree, 0)
  const bob = keys[1]
  const vote = (hash: Uint8Array) => ({ targetHash: hash, targetNumber: 1, signature: bob.sign(voteMessage('prevote', hash, 1, 1n, 0n)), authorityId: bob.publicKey })
  assert.deepEqual(voter.onVote(tree, 1n, 0n, 'prevote', vote(a), 0), [])
  const out = voter.onVote(tree, 1n, 0n, 'prevote', vote(b), 0)
  assert.equal(out.length, 1)
  assert.ok(out[0].kind === 'log' && /equivocation/.test(out[0].line))
  assert.deepEqual(voter.onVote(tree, 1n, 0n, 'prevote', vote(b), 0), [], 'logged once')
  const forged = { ...vote(a), signature: new Uint8Array(64) }
  assert.throws(() => voter.onVote(tree, 1n, 0n, 'precommit', forged, 0), VoteError)
  const stranger = ed25519FromSuri('//Eve')
  assert.throws(() => voter.onVote(tree, 1n, 0n, 'prevote', { ...vote(a), authorityId: stranger.publicKey, signature: stranger.sign(voteMessage('prevote', a, 1, 1n, 0n)) }, 0), /not in set/)
})
