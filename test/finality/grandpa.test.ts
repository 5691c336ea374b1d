// GRANDPA justifications, warp proofs and authority-set tracking.
// Vectors: a justification recorded from a live chain in smoldot's `lib/src/finality/decode.rs`
// (`basic_decode_justification`: block #302592, round 439559, five precommits; the signatures verify
// for set id 0), the Polkadot #512271 header fixture, and data signed here by an independent signer
// (@noble/curves ed25519) covering every failure mode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ed25519 } from '@noble/curves/ed25519.js'
import { DecodeError, Writer, toHex } from '../../src/codec/index.ts'
import { decodeHeader, headerHash, type Authority, type Header } from '../../src/header/index.ts'
import {
  GrandpaError,
  applyFinalized,
  applyHeader,
  decodeJustification,
  decodeWarpProof,
  encodeJustification,
  encodeWarpProof,
  initialGrandpaState,
  precommitMessage,
  verifyJustification,
  verifyWarpProof,
  type GrandpaJustification,
} from '../../src/finality/index.ts'
import { needsFixtures, readFixture } from '../support/fixtures.ts'

const RECORDED = Uint8Array.from([7,181,6,0,0,0,0,0,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,20,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,13,247,129,120,204,170,120,173,41,241,213,234,121,111,20,38,193,94,99,139,57,30,71,209,236,222,165,123,70,139,71,65,36,142,39,13,94,240,44,174,150,85,149,223,166,82,210,103,40,129,102,26,212,116,231,209,163,107,49,82,229,197,82,8,28,21,28,17,203,114,51,77,38,215,7,105,227,175,123,191,243,128,26,78,45,202,43,9,183,204,224,175,141,216,19,7,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,62,37,145,44,21,192,120,229,236,113,122,56,193,247,45,210,184,12,62,220,253,147,70,133,85,18,90,167,201,118,23,107,184,187,3,104,170,132,17,18,89,77,156,145,242,8,185,88,74,87,21,52,247,101,57,154,163,5,130,20,15,230,8,3,104,13,39,130,19,249,8,101,138,73,161,2,90,127,70,108,25,126,143,182,250,187,94,98,34,10,123,215,95,134,12,171,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,125,172,79,71,1,38,137,128,232,95,70,104,217,95,7,58,28,114,182,216,171,56,231,218,199,244,220,122,6,225,5,175,172,47,198,61,84,42,75,66,62,90,243,18,58,36,108,235,132,103,136,38,164,164,237,164,41,225,152,157,146,237,24,11,142,89,54,135,0,234,137,226,191,137,34,204,158,75,134,214,101,29,28,104,154,13,87,129,63,151,104,219,170,222,207,113,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,68,192,211,142,239,33,55,222,165,127,203,155,217,170,61,95,206,74,74,19,123,60,67,142,80,18,175,40,136,156,151,224,191,157,91,187,39,185,249,212,158,73,197,90,54,222,13,76,181,134,69,3,165,248,94,196,68,186,80,218,87,162,17,11,222,166,244,167,39,211,178,57,146,117,214,238,136,23,136,31,16,89,116,113,220,29,39,241,68,41,90,214,251,147,60,122,41,241,171,236,144,172,25,157,240,109,238,59,160,115,76,8,195,253,109,240,108,170,63,120,149,47,143,149,22,64,88,210,0,158,4,0,58,187,123,135,2,157,81,197,40,200,218,52,253,193,119,104,190,246,221,225,175,195,177,218,209,175,83,119,98,175,196,48,67,76,59,223,13,202,48,1,10,99,200,201,123,29,89,131,120,70,162,235,11,191,96,57,83,51,217,199,35,50,174,2,247,45,175,46,86,14,79,15,34,251,92,187,4,173,29,127,238,133,10,171,35,143,208,20,193,120,118,158,126,58,155,132,0])

const code = (c: string) => (e: unknown) => e instanceof GrandpaError && e.code === c

test('recorded live justification: decodes, re-encodes, and verifies for set 0 only', () => {
  const j = decodeJustification(RECORDED)
  assert.deepEqual(encodeJustification(j), RECORDED)
  assert.equal(j.targetNumber, 302592)
  assert.equal(j.round, 439559n)
  const voters = j.precommits.map((p) => ({ publicKey: p.authorityId, weight: 1n }))
  // 5 voters of 5: threshold 5 − ⌊4/3⌋ = 4
  assert.deepEqual(verifyJustification(j, { setId: 0n, authorities: voters }), { hash: j.targetHash, number: 302592, weight: 5n, threshold: 4n, total: 5n })
  // 5 of 7 is above the 2/3 supermajority (threshold 5); 5 of 8 is not (threshold 6)
  const others = (n: number) => Array.from({ length: n }, (_, i) => ({ publicKey: new Uint8Array(32).fill(i + 1), weight: 1n }))
  verifyJustification(j, { setId: 0n, authorities: [...voters, ...others(2)] })
  assert.throws(() => verifyJustification(j, { setId: 0n, authorities: [...voters, ...others(3)] }), code('InsufficientWeight'))
  assert.throws(() => verifyJustification(j, { setId: 1n, authorities: voters }), code('BadSignature'))
  assert.throws(() => verifyJustification(j, { setId: 0n, authorities: voters.slice(1) }), code('UnknownVoter'))
  assert.throws(() => verifyJustification(j, { setId: 0n, authorities: voters }, { hash: new Uint8Array(32) }), code('TargetMismatch'))
})

// --- a small chain signed by an independent signer ---------------------------------------------------
const keys = Array.from({ length: 4 }, (_, i) => ed25519.utils.randomSecretKey(new Uint8Array(32).fill(i + 1)))
const set = { setId: 7n, authorities: keys.map((k) => ({ publicKey: ed25519.getPublicKey(k), weight: 1n })) }
function header(parent: Header | undefined, digest: Header['digest'] = []): Header {
  return { parentHash: parent ? headerHash(parent) : new Uint8Array(32), number: parent ? parent.number + 1 : 100, stateRoot: new Uint8Array(32).fill(9), extrinsicsRoot: new Uint8Array(32), digest }
}
function justify(target: Header, signers: number[], opts: { round?: bigint; setId?: bigint; voteFor?: Header; ancestry?: Header[]; keySet?: Uint8Array[] } = {}): GrandpaJustification {
  const round = opts.round ?? 3n
  const vote = opts.voteFor ?? target
  const ks = opts.keySet ?? keys
  return {
    round,
    targetHash: headerHash(target),
    targetNumber: target.number,
    precommits: signers.map((i) => {
      const msg = precommitMessage(headerHash(vote), vote.number, round, opts.setId ?? 7n)
      return { targetHash: headerHash(vote), targetNumber: vote.number, signature: ed25519.sign(msg, ks[i]), authorityId: ed25519.getPublicKey(ks[i]) }
    }),
    votesAncestries: opts.ancestry ?? [],
  }
}
const b0 = header(undefined)
const b1 = header(b0)
const b2 = header(b1)

test('independently signed justifications: every failure mode has its own error', () => {
  assert.equal(verifyJustification(justify(b0, [0, 1, 2]), set).number, 100)
  assert.throws(() => verifyJustification(justify(b0, [0, 1]), set), code('InsufficientWeight'))
  assert.throws(() => verifyJustification(justify(b0, [0, 1, 2], { setId: 8n }), set), code('BadSignature'))
  const wrongRound = justify(b0, [0, 1, 2])
  wrongRound.round = 4n
  assert.throws(() => verifyJustification(wrongRound, set), code('BadSignature'))
  const wrongTarget = justify(b0, [0, 1, 2])
  wrongTarget.precommits[1] = { ...wrongTarget.precommits[1], targetNumber: 101 }
  assert.throws(() => verifyJustification(wrongTarget, set), (e: unknown) => e instanceof GrandpaError && ['BadSignature', 'MissingAncestry'].includes(e.code))
  const bad = justify(b0, [0, 1, 2])
  bad.precommits[2].signature[5] ^= 1
  assert.throws(() => verifyJustification(bad, set), code('BadSignature'))
  const stranger = ed25519.utils.randomSecretKey(new Uint8Array(32).fill(99))
  assert.throws(() => verifyJustification(justify(b0, [0, 1, 2, 4], { keySet: [...keys, stranger] }), set), code('UnknownVoter'))
  const dup = justify(b0, [0, 1, 2])
  dup.precommits.push(dup.precommits[0])
  assert.throws(() => verifyJustification(dup, set), code('DuplicateVoter'))
  const eq = justify(b0, [0, 1, 2])
  eq.precommits.push(justify(b0, [0], { voteFor: b1, ancestry: [b1] }).precommits[0])
  eq.votesAncestries = [b1]
  assert.throws(() => verifyJustification(eq, set), code('EquivocatingVoter'))
  // votes for descendants count when the ancestry connects them
  assert.equal(verifyJustification(justify(b0, [0, 1, 2], { voteFor: b2, ancestry: [b2, b1] }), set).number, 100)
  assert.throws(() => verifyJustification(justify(b0, [0, 1, 2], { voteFor: b2, ancestry: [b2] }), set), code('MissingAncestry'))
  assert.throws(() => verifyJustification(justify(b0, [0, 1, 2], { ancestry: [b1] }), set), code('ExtraAncestry'))
  assert.throws(() => verifyJustification(justify(b1, [0, 1, 2], { voteFor: b0 }), set), code('PrecommitNotDescendant'))
})

test('warp proofs: a chain of set changes verifies; a missing change or a wrong signer does not', () => {
  const keys2 = Array.from({ length: 3 }, (_, i) => ed25519.utils.randomSecretKey(new Uint8Array(32).fill(50 + i)))
  const set2: Authority[] = keys2.map((k) => ({ publicKey: ed25519.getPublicKey(k), weight: 1n }))
  const change = new Writer().u8(1).vec(set2, (w, a) => void w.bytes(a.publicKey).u64(a.weight)).u32(0).finish()
  const h1 = header(b0, [{ type: 'consensus', engine: 'FRNK', payload: change }])
  const h2 = header(h1)
  const j1 = justify(h1, [0, 1, 3])
  const j2: GrandpaJustification = justify(h2, [0, 1, 2], { setId: 8n, keySet: keys2 })
  const proof = { fragments: [{ header: h1, justification: j1 }, { header: h2, justification: j2 }], isFinished: true }
  const bytes = encodeWarpProof(proof)
  const decoded = decodeWarpProof(bytes)
  assert.deepEqual(encodeWarpProof(decoded), bytes)
  const r = verifyWarpProof(decoded, set)!
  assert.equal(r.finalized.number, h2.number)
  assert.equal(r.set.setId, 8n)
  assert.deepEqual(r.set.authorities.map((a) => toHex(a.publicKey)), set2.map((a) => toHex(a.publicKey)))
  assert.equal(verifyWarpProof({ fragments: [], isFinished: true }, set), undefined)
  // the second fragment signed by the old set: its voters are unknown to the new one
  const wrong = { fragments: [proof.fragments[0], { header: h2, justification: justify(h2, [0, 1, 2], { setId: 8n }) }], isFinished: true }
  assert.throws(() => verifyWarpProof(wrong, set), code('UnknownVoter'))
  // a fragment in the middle without a set change
  const plain = { fragments: [{ header: b1, justification: justify(b1, [0, 1, 2]) }, proof.fragments[1]], isFinished: true }
  assert.throws(() => verifyWarpProof(plain, set), code('MissingSetChange'))
  // a justification for another header
  assert.throws(() => verifyWarpProof({ fragments: [{ header: h2, justification: j1 }], isFinished: true }, set), code('TargetMismatch'))
})

test('Polkadot #512271: its GRANDPA ScheduledChange feeds the authority-set tracker', needsFixtures, () => {
  const h = decodeHeader(readFixture('headers', 'polkadot-512271.bin'))
  const s0 = initialGrandpaState(10n, [{ publicKey: new Uint8Array(32), weight: 1n }])
  const s1 = applyHeader(s0, h)
  assert.equal(s1.pending.length, 1)
  assert.equal(s1.setId, 10n, 'a standard change waits for finality')
  const at = s1.pending[0].effectiveAt
  assert.ok(at >= h.number)
  assert.equal(applyFinalized(s1, at - 1).setId, 10n)
  const s2 = applyFinalized(s1, at)
  assert.equal(s2.setId, 11n)
  assert.equal(s2.authorities.length, s1.pending[0].authorities.length)
  assert.equal(s2.pending.length, 0)
  assert.equal(s0.pending.length, 0, 'the input state is not mutated')
})

test('robustness: mutated justifications and warp proofs only produce typed errors', () => {
  // a finished proof, so the original verifies (unfinished, its one fragment would need a set change, and the
  // one mutation that makes it verify is writing 1 into the unsigned `is_finished` byte: found by fast-check)
  const warp = encodeWarpProof({ fragments: [{ header: b1, justification: justify(b1, [0, 1, 2]) }], isFinished: true })
  assert.ok(verifyWarpProof(decodeWarpProof(warp), set))
  for (const [name, bytes, run] of [
    ['justification', RECORDED, (b: Uint8Array) => verifyJustification(decodeJustification(b), { setId: 0n, authorities: decodeJustification(RECORDED).precommits.map((p) => ({ publicKey: p.authorityId, weight: 1n })) }, { hash: decodeJustification(RECORDED).targetHash })],
    ['warp proof', warp, (b: Uint8Array) => verifyWarpProof(decodeWarpProof(b), set)],
  ] as const) {
    fc.assert(
      fc.property(fc.nat({ max: bytes.length }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), (cut, muts) => {
        const m = bytes.slice(0, cut === 0 ? bytes.length : cut)
        for (const [p, v] of muts) m[p % m.length] = v
        try {
          run(m)
        } catch (e) {
          assert.ok(e instanceof GrandpaError || e instanceof DecodeError, `${name}: ${String(e)}`)
          return
        }
        // accepted: then it must be the original proof (a mutation that still verifies would be a forgery);
        // only mutations that write back the same byte leave it unchanged
        assert.equal(toHex(m), toHex(bytes), `${name}: a mutated input verified`)
      }),
      { numRuns: 2000 },
    )
  }
})

test('ed25519: the native fast path and the ZIP-215 path agree on valid, invalid and malformed signatures', async () => {
  const { ed25519Verify } = await import('../../src/crypto/index.ts')
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), fc.nat(511), (seed, msg, bit) => {
      const pk = ed25519.getPublicKey(seed)
      const sig = ed25519.sign(msg, seed)
      assert.equal(ed25519Verify(sig, msg, pk), true)
      const bad = sig.slice()
      bad[bit >> 3] ^= 1 << (bit & 7)
      let zip215: boolean
      try {
        zip215 = ed25519.verify(bad, msg, pk, { zip215: true })
      } catch {
        zip215 = false
      }
      assert.equal(ed25519Verify(bad, msg, pk), zip215)
    }),
    { numRuns: 300 },
  )
})
