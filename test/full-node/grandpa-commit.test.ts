// GRANDPA commits received on /grandpa/1: decoded from the wire, turned into a justification with the
// votes ancestries our own chain supplies, and verified like one. Blocks authored by node-template's real
// runtime; votes signed by the dev GRANDPA keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { GrandpaError, precommitMessage, verifyJustification } from '../../src/finality/index.ts'
import { decodeGrandpaGossip, encodeGrandpaCommit, type GrandpaCommit } from '../../src/network/index.ts'
import { DevChain, authorAuraBlock, runtimeAt } from '../../src/full-node/index.ts'
import { PendingCommits, justificationFromCommit } from '../../src/sync/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('a commit with precommits on the target and on a descendant verifies with our ancestry', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const aura = sr25519FromSuri('//Alice')
  let slot = 5_000_000n
  for (let i = 0; i < 4; i++) {
    const best = chain.bestBlock
    slot += 2n
    const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: aura })
    chain.add(block, state)
  }
  const g = chain.blockAt(0)!.state!
  const set = { setId: 0n, authorities: new Reader(runtimeAt(g).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
  const vote = (who: string, n: number) => {
    const k = ed25519FromSuri(who)
    const b = chain.blockAt(n)!
    return { targetHash: b.hash, targetNumber: n, signature: k.sign(precommitMessage(b.hash, n, 7n, 0n)), authorityId: k.publicKey }
  }
  const target = chain.blockAt(2)!
  const commit: GrandpaCommit = { round: 7n, setId: 0n, targetHash: target.hash, targetNumber: 2, precommits: [vote('//Alice', 2), vote('//Bob', 4)] }
  // through the wire format
  const wire = decodeGrandpaGossip(encodeGrandpaCommit(commit))
  assert.equal(wire.kind, 'commit')
  if (wire.kind !== 'commit') return
  assert.deepEqual({ ...wire, kind: undefined }, { ...commit, kind: undefined })

  const j = justificationFromCommit(wire, chain)!
  assert.deepEqual(j.votesAncestries.map((h) => h.number), [3, 4], 'the headers linking the descendant vote to the target')
  assert.deepEqual(verifyJustification(j, set, { hash: target.hash, number: 2 }).number, 2)

  // a target or vote we do not hold: no judgement yet
  assert.equal(justificationFromCommit({ ...commit, targetHash: new Uint8Array(32).fill(1) }, chain), undefined)
  assert.equal(justificationFromCommit({ ...commit, precommits: [vote('//Alice', 2), { ...vote('//Bob', 4), targetNumber: 9 }] }, chain), undefined)
  // a forged signature fails verification (the node bans the sender)
  const forged = { ...commit, precommits: [vote('//Alice', 2), { ...vote('//Bob', 4), signature: vote('//Alice', 4).signature }] }
  assert.throws(() => verifyJustification(justificationFromCommit(forged, chain)!, set, { hash: target.hash, number: 2 }), (e: unknown) => e instanceof GrandpaError && e.code === 'BadSignature')
  // one voter short of the supermajority
  assert.throws(() => verifyJustification(justificationFromCommit({ ...commit, precommits: [vote('//Alice', 2)] }, chain)!, set, { hash: target.hash, number: 2 }), (e: unknown) => e instanceof GrandpaError && e.code === 'InsufficientWeight')
  assert.equal(toHex(j.targetHash), toHex(target.hash))
})

test('pending commits: kept per peer (highest first, bounded), handed back once judgeable, dropped once final', () => {
  const c = (n: number): GrandpaCommit => ({ round: BigInt(n), setId: 0n, targetHash: new Uint8Array(32).fill(n), targetNumber: n, precommits: [] })
  const p = new PendingCommits(3, 2)
  for (const n of [5, 9, 7, 9, 6, 8]) p.hold('a', c(n)) // 9 twice: once kept
  assert.equal(p.size, 3, 'the highest three of peer a')
  p.hold('b', c(4))
  p.hold('c', c(4)) // a third peer: the least recent (a) goes
  assert.equal(p.size, 2)
  p.hold('b', c(12))
  p.hold('c', c(10))
  // nothing judgeable yet: all stay
  assert.deepEqual(p.take(0, () => false), [])
  assert.equal(p.size, 4)
  // finality reached #4 elsewhere: those go; #10 and #12 become judgeable, highest first
  const taken = p.take(4, (x) => x.targetNumber >= 10)
  assert.deepEqual(taken.map(([peer, x]) => [peer, x.targetNumber]), [['b', 12], ['c', 10]])
  assert.equal(p.size, 0)
})
