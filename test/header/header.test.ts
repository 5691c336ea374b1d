// Headers judged by real blocks: both fixture headers round-trip byte for byte, and Polkadot #512271's
// BABE pre-digest and GRANDPA scheduled change decode to what that block carries.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DecodeError, toHex } from '../../src/codec/index.ts'
import {
  consensusLogs,
  decodeAuraPreDigest,
  decodeBabeConsensusLog,
  decodeBabePreDigest,
  decodeGrandpaConsensusLog,
  decodeHeader,
  encodeBabePreDigest,
  encodeHeader,
  findPreRuntime,
  headerHash,
  preSealHash,
  sealOf,
  unsealedHeader,
  type Header,
} from '../../src/header/index.ts'
import { needsFixtures, readFixture } from '../support/fixtures.ts'

test('fixture headers round-trip byte for byte', needsFixtures, () => {
  for (const f of ['polkadot-512271.bin', 'kusama-7472481.bin']) {
    const bytes = readFixture('headers', f)
    const h = decodeHeader(bytes)
    assert.deepEqual(encodeHeader(h), bytes, f)
    assert.deepEqual(headerHash(h), headerHash(bytes))
  }
  assert.equal(decodeHeader(readFixture('headers', 'kusama-7472481.bin')).number, 7472481)
})

test('Polkadot #512271: BABE primary pre-digest, NextEpochData, GRANDPA ScheduledChange, seal', needsFixtures, () => {
  const h = decodeHeader(readFixture('headers', 'polkadot-512271.bin'))
  assert.equal(h.number, 512271)
  const pre = decodeBabePreDigest(findPreRuntime(h, 'BABE')!)
  assert.equal(pre.kind, 'primary')
  assert.equal(pre.authorityIndex, 75)
  assert.equal(pre.slot, 265598163n)
  assert.deepEqual(encodeBabePreDigest(pre), findPreRuntime(h, 'BABE'))
  const babe = consensusLogs(h, 'BABE').map(decodeBabeConsensusLog)
  assert.equal(babe[0].kind, 'nextEpochData')
  const grandpa = consensusLogs(h, 'FRNK').map(decodeGrandpaConsensusLog)
  assert.equal(grandpa.length, 1)
  assert.equal(grandpa[0].kind, 'scheduledChange')
  if (grandpa[0].kind !== 'scheduledChange' || babe[0].kind !== 'nextEpochData') return
  // 7887-byte payload = tag + compact(N) + N × 40 + delay: every authority weight 1 on Polkadot then.
  assert.equal(grandpa[0].change.nextAuthorities.length, (7887 - 1 - 2 - 4) / 40)
  assert.ok(grandpa[0].change.nextAuthorities.every((a) => a.weight === 1n))
  assert.equal(babe[0].authorities.length, grandpa[0].change.nextAuthorities.length)
  const seal = sealOf(h)!
  assert.equal(seal.engine, 'BABE')
  assert.equal(seal.payload.length, 64)
  assert.deepEqual(preSealHash(h), headerHash(unsealedHeader(h)))
  assert.notDeepEqual(preSealHash(h), headerHash(h))
})

test('Kusama #7472481: secondary plain pre-digest, OnDisabled logs for both engines, NextConfigData', needsFixtures, () => {
  const h = decodeHeader(readFixture('headers', 'kusama-7472481.bin'))
  const pre = decodeBabePreDigest(findPreRuntime(h, 'BABE')!)
  assert.deepEqual(pre, { kind: 'secondaryPlain', authorityIndex: 140, slot: 270170680n })
  const babe = consensusLogs(h, 'BABE').map(decodeBabeConsensusLog)
  const disabledBabe = babe.flatMap((l) => (l.kind === 'onDisabled' ? [l.authorityIndex] : []))
  const disabledGrandpa = consensusLogs(h, 'FRNK').map(decodeGrandpaConsensusLog).flatMap((l) => (l.kind === 'onDisabled' ? [Number(l.authorityIndex)] : []))
  assert.deepEqual(disabledBabe, disabledGrandpa)
  const cfg = babe.find((l) => l.kind === 'nextConfigData')
  assert.deepEqual(cfg, { kind: 'nextConfigData', config: { c: [1n, 4n], allowedSlots: 'primaryAndSecondaryVrf' } })
})

test('Aura slot and typed errors for bad payloads', () => {
  assert.equal(decodeAuraPreDigest(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0])), 1n)
  assert.throws(() => decodeAuraPreDigest(new Uint8Array(7)), DecodeError)
  assert.throws(() => decodeBabePreDigest(Uint8Array.from([4, 0])), (e: unknown) => e instanceof DecodeError && e.code === 'BadVariant')
  assert.throws(() => decodeGrandpaConsensusLog(Uint8Array.from([6])), DecodeError)
})

const headerArb = fc.record({
  parentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  number: fc.nat({ max: 0xffffffff }),
  stateRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  extrinsicsRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  digest: fc.array(
    fc.oneof(
      fc.record({ type: fc.constantFrom('preRuntime' as const, 'consensus' as const, 'seal' as const), engine: fc.constantFrom('BABE', 'aura', 'FRNK', 'BEEF'), payload: fc.uint8Array({ maxLength: 80 }) }),
      fc.record({ type: fc.constant('other' as const), payload: fc.uint8Array({ maxLength: 20 }) }),
      fc.constant({ type: 'runtimeEnvironmentUpdated' as const }),
    ),
    { maxLength: 5 },
  ),
}) as fc.Arbitrary<Header>

test('property: header encode/decode round trip', () => {
  fc.assert(fc.property(headerArb, (h) => assert.deepEqual(decodeHeader(encodeHeader(h)), { ...h, digest: h.digest.map((d) => ({ ...d })) })), { numRuns: 1000 })
})

test('robustness: mutated and truncated real headers only give DecodeError', needsFixtures, () => {
  const bytes = readFixture('headers', 'kusama-7472481.bin')
  fc.assert(
    fc.property(fc.nat({ max: bytes.length }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), (cut, muts) => {
      const m = bytes.slice(0, cut)
      for (const [p, v] of muts) if (m.length) m[p % m.length] = v
      try {
        const h = decodeHeader(m)
        for (const d of h.digest) {
          if (d.type === 'other' || d.type === 'runtimeEnvironmentUpdated') continue
          if (d.engine === 'BABE') (d.type === 'preRuntime' ? decodeBabePreDigest : decodeBabeConsensusLog)(d.payload)
          if (d.engine === 'FRNK') decodeGrandpaConsensusLog(d.payload)
        }
        assert.equal(toHex(encodeHeader(h)), toHex(m))
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e))
      }
    }),
    { numRuns: 3000 },
  )
})
