// BABE verification on real headers: the checkpoint headers of the live Polkadot, Kusama and Westend
// specs and of polkadot-dev verify against their checkpoint epochs; single-bit changes fail with the
// specific error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeBabePreDigest, decodeHeader, encodeHeader, type Header } from '../../src/header/index.ts'
import { parseChainSpec, type BabeEpoch } from '../../src/chain-spec/index.ts'
import { BabeVerifyError, babePreDigest, primaryThreshold, secondarySlotAuthor, verifyBabeHeader } from '../../src/verify/babe.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

function checkpoint(spec: string): { header: Header; epoch: BabeEpoch } {
  const l = parseChainSpec(readFixtureText('chain-specs', spec)).lightSyncState!
  const slot = babePreDigest(l.finalizedBlockHeader).slot
  const epochs = l.babeEpochChanges.epochs.flatMap((e) => (e.epoch.kind === 'regular' ? [e.epoch.epoch] : e.epoch.epochs))
  const epoch = epochs.find((e) => slot >= e.startSlot && slot < e.startSlot + e.duration)!
  return { header: l.finalizedBlockHeader, epoch }
}

const clone = (h: Header): Header => decodeHeader(encodeHeader(h))
function withPreDigest(h: Header, f: (p: ReturnType<typeof babePreDigest>) => void): Header {
  const c = clone(h)
  const pre = babePreDigest(c)
  f(pre)
  const i = c.digest.findIndex((d) => d.type === 'preRuntime' && d.engine === 'BABE')
  c.digest[i] = { type: 'preRuntime', engine: 'BABE', payload: encodeBabePreDigest(pre) }
  return c
}
const fails = (code: string) => (e: unknown) => e instanceof BabeVerifyError && e.code === code

test('checkpoint headers of polkadot, ksmcc3, westend2 and polkadot-dev verify', needsFixtures, () => {
  const kinds: Record<string, string> = {}
  for (const spec of ['polkadot.json', 'ksmcc3.json', 'westend2.json', 'polkadot-dev.json', 'westend-genesis.json']) {
    const { header, epoch } = checkpoint(spec)
    const r = verifyBabeHeader(header, epoch)
    assert.equal(r.epochIndex, epoch.epochIndex)
    kinds[spec] = r.kind
  }
  // the set covers every kind of claim: primary (VRF + threshold), secondary VRF, secondary plain
  assert.deepEqual(new Set(Object.values(kinds)), new Set(['primary', 'secondaryVrf', 'secondaryPlain']))
})

test('single-bit changes fail with the specific error', needsFixtures, () => {
  for (const spec of ['ksmcc3.json', 'polkadot.json']) {
    const { header, epoch } = checkpoint(spec)
    const kind = babePreDigest(header).kind
    // seal
    for (const bit of [0, 100, 511]) {
      const h = clone(header)
      const seal = h.digest[h.digest.length - 1] as { payload: Uint8Array }
      seal.payload[bit >> 3] ^= 1 << (bit & 7)
      assert.throws(() => verifyBabeHeader(h, epoch), fails('BadSignature'), `${spec} seal bit ${bit}`)
    }
    // VRF output and proof
    for (const field of ['vrfOutput', 'vrfProof'] as const) {
      for (const bit of [0, 77, 255]) {
        const h = withPreDigest(header, (p) => {
          if (p.kind !== 'secondaryPlain') p[field][bit >> 3] ^= 1 << (bit & 7)
        })
        assert.throws(() => verifyBabeHeader(h, epoch), fails('VrfVerificationFailed'), `${spec} ${field} bit ${bit}`)
      }
    }
    // slot: the VRF no longer matches (primary), or the slot belongs to someone else (secondary)
    const h1 = withPreDigest(header, (p) => void (p.slot += 1n))
    assert.throws(() => verifyBabeHeader(h1, epoch), kind === 'primary' ? fails('VrfVerificationFailed') : (e: unknown) => e instanceof BabeVerifyError && ['WrongSecondaryAuthor', 'VrfVerificationFailed'].includes(e.code))
    // authority index
    const h2 = withPreDigest(header, (p) => void (p.authorityIndex = (p.authorityIndex + 1) % epoch.authorities.length))
    assert.throws(() => verifyBabeHeader(h2, epoch), kind === 'primary' ? fails('VrfVerificationFailed') : fails('WrongSecondaryAuthor'))
    const h3 = withPreDigest(header, (p) => void (p.authorityIndex = epoch.authorities.length))
    assert.throws(() => verifyBabeHeader(h3, epoch), fails('UnknownAuthority'))
    // slots from the future and before the epoch
    const slot = babePreDigest(header).slot
    assert.throws(() => verifyBabeHeader(header, epoch, slot - 1n), fails('SlotInFuture'))
    assert.throws(() => verifyBabeHeader(withPreDigest(header, (p) => void (p.slot = epoch.startSlot - 1n)), epoch), fails('SlotBeforeEpoch'))
  }
})

test('primary threshold and secondary author follow Substrate', () => {
  const auth = (n: number) => Array.from({ length: n }, () => ({ publicKey: new Uint8Array(32), weight: 1n }))
  // c = 1/4 with one authority: p = 1 - 0.75 = 0.25 exactly, threshold = 2^126
  assert.equal(primaryThreshold([1n, 4n], auth(1), 0), 1n << 126n)
  // c = 1/2 with two equal authorities: p = 1 - sqrt(0.5)
  const t = primaryThreshold([1n, 2n], auth(2), 0)
  assert.ok(Math.abs(Number(t) / 2 ** 128 - (1 - Math.SQRT1_2)) < 1e-15)
  assert.ok(secondarySlotAuthor(5n, auth(7), new Uint8Array(32)) < 7)
})

test('epoch tracking: NextEpochData / NextConfigData / OnDisabled from real headers drive the next epoch', needsFixtures, async () => {
  const { applyBabeDigests, epochFor } = await import('../../src/verify/index.ts')
  const { decodeHeader } = await import('../../src/header/index.ts')
  const { readFixture } = await import('../support/fixtures.ts')
  const kusama = decodeHeader(readFixture('headers', 'kusama-7472481.bin'))
  const slot = babePreDigest(kusama).slot
  const current: BabeEpoch = { epochIndex: 100n, startSlot: slot - 10n, duration: 600n, authorities: [], randomness: new Uint8Array(32), config: { c: [1n, 2n], allowedSlots: 'primaryAndSecondaryPlain' } }
  const s = applyBabeDigests({ current, next: undefined, disabled: [] }, kusama, slot)
  assert.ok(s.next)
  assert.equal(s.next.epochIndex, 101n)
  assert.equal(s.next.startSlot, current.startSlot + 600n)
  assert.ok(s.next.authorities.length > 100)
  assert.deepEqual(s.next.config, { c: [1n, 4n], allowedSlots: 'primaryAndSecondaryVrf' }, 'NextConfigData applies to the announced epoch')
  assert.deepEqual(s.disabled, [167, 267, 279, 295, 310, 322, 324, 438, 606, 618, 842])
  assert.equal(epochFor(s, s.next.startSlot - 1n), current)
  assert.equal(epochFor(s, s.next.startSlot), s.next)
  // a block in the next epoch rotates it in
  const rotated = applyBabeDigests(s, { ...kusama, digest: [] }, s.next.startSlot + 3n)
  assert.equal(rotated.current.epochIndex, 101n)
  assert.equal(rotated.next, undefined)
  assert.deepEqual(rotated.disabled, [])
})
