// Chain specs judged by the published genesis hashes (fixtures README) and by the smoldot package
// (the reference light client) on the same files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import fc from 'fast-check'
import { toHex } from '../../src/codec/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { ChainSpecError, genesisHash, genesisHeader, genesisRuntimeVersion, parseChainSpec } from '../../src/chain-spec/index.ts'
import { EMPTY_TRIE_ROOT } from '../../src/trie/index.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const spec = (f: string) => parseChainSpec(readFixtureText('chain-specs', f))

test('genesis hashes and state roots equal the published values', needsFixtures, () => {
  const known: Record<string, [string, string?]> = {
    'westend-genesis.json': ['0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e', '0x7e92439a94f79671f9cade9dff96a094519b9001a7432244d46ab644bb6f746f'],
    'westend2.json': ['0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e', '0x7e92439a94f79671f9cade9dff96a094519b9001a7432244d46ab644bb6f746f'],
    'node-template.json': ['0x6bf30d04495c16ef053de4ac74eac35dfd6473e4907810f450bea1b976ac518f'],
    'polkadot-dev.json': ['0x4e1ef9781925d9ae357b112a5eac96b1476300e37d84f89208edb85ac35e05c2'],
    'polkadot.json': ['0x91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3'],
    'ksmcc3.json': ['0xb0a8d493285c2df73290dfb7e61f870f17b41801197a149ca93654499ea3dafe'],
  }
  for (const [f, [hash, root]] of Object.entries(known)) {
    const s = spec(f)
    assert.equal(toHex(genesisHash(s)), hash, f)
    if (root) assert.equal(toHex(genesisHeader(s).stateRoot), root, f)
    const h = genesisHeader(s)
    assert.equal(h.number, 0)
    assert.deepEqual(h.parentHash, new Uint8Array(32))
    assert.deepEqual(h.extrinsicsRoot, EMPTY_TRIE_ROOT)
    assert.deepEqual(h.digest, [])
  }
})

test('every fixture spec: our genesis hash equals the smoldot package chainSpec_v1_genesisHash', needsFixtures, () => {
  const files = readdirSync(fixturePath('chain-specs')).filter((f) => f.endsWith('.json')).map((f) => fixturePath('chain-specs', f))
  const script = new URL('../support/smoldot-genesis.mjs', import.meta.url).pathname
  const stdout = execFileSync(process.execPath, [script, ...files], { encoding: 'utf8', timeout: 120_000 })
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  assert.ok(line, 'smoldot helper printed no result')
  const ref = JSON.parse(line.slice(7)) as Record<string, string>
  assert.equal(Object.keys(ref).length, files.length)
  for (const f of files) {
    const ours = toHex(genesisHash(parseChainSpec(readFixtureText('chain-specs', f.split('/').pop()!))))
    assert.equal(ours, ref[f], f)
  }
})

test('checkpoints: the checkpoint block hash is the hash of the decoded header (Westend #5509229)', needsFixtures, () => {
  const s = spec('westend-genesis.json')
  const cp = s.lightSyncState!
  assert.equal(cp.finalizedBlockHeader.number, 5509229)
  assert.equal(toHex(headerHash(cp.finalizedBlockHeader)), '0x9d34c5a7a8ad8d73c7690a41f7a9d1a7c46e21dc8fb1638aee6ef07f45b65158')
  for (const f of ['polkadot.json', 'ksmcc3.json', 'westend2.json', 'polkadot-dev.json']) {
    const l = spec(f).lightSyncState!
    // The epochs stored are those the fork tree points at; their indices are consecutive.
    const idx = l.babeEpochChanges.epochs.flatMap((e) => (e.epoch.kind === 'regular' ? [e.epoch.epoch.epochIndex] : e.epoch.epochs.map((x) => x.epochIndex))).sort((a, b) => Number(a - b))
    for (let i = 1; i < idx.length; i++) assert.equal(idx[i], idx[i - 1] + 1n, f)
    for (const e of l.babeEpochChanges.epochs) {
      const eps = e.epoch.kind === 'regular' ? [e.epoch.epoch] : e.epoch.epochs
      for (const ep of eps) {
        assert.ok(ep.authorities.length > 0 && ep.duration > 0n, f)
        assert.ok(ep.config.c[1] > 0n, f)
      }
    }
    assert.ok(l.grandpaAuthoritySet.currentAuthorities.length > 0, f)
  }
  // Polkadot's GRANDPA set has 600 voters at this checkpoint (Polkadot's validator count then)
  assert.equal(spec('polkadot.json').lightSyncState!.grandpaAuthoritySet.currentAuthorities.length, 600)
})

test('fields: boot nodes with peer ids, parachain pairing, properties, protocol id', needsFixtures, () => {
  const dot = spec('polkadot.json')
  assert.ok(dot.bootNodes.length > 10)
  for (const b of dot.bootNodes) assert.match(b.peerId, /^(12D3Koo|Qm)/)
  assert.equal(dot.properties.tokenSymbol, 'DOT')
  const ah = spec('polkadot_asset_hub.json')
  assert.equal(ah.relayChain, 'polkadot')
  assert.equal(ah.paraId, 1000)
  assert.equal(ah.genesis.kind, 'stateRootHash')
  const nt = spec('node-template.json')
  assert.equal(nt.genesis.kind, 'raw')
  assert.equal(nt.protocolId, undefined) // null in this spec
  assert.deepEqual(nt.telemetryEndpoints, [])
  const rv = genesisRuntimeVersion(nt)!
  assert.equal(rv.specName, 'node-template')
  assert.equal(rv.stateVersion, 0)
  const wnd2 = spec('westend2_asset_hub.json')
  assert.equal(wnd2.relayChain, 'westend2')
})

test('malformed specs: a typed error naming the field', () => {
  const base = { name: 'x', id: 'y', genesis: { stateRootHash: '0x' + '00'.repeat(32) } }
  const cases: [unknown, string][] = [
    [{ ...base, name: undefined }, 'name'],
    [{ ...base, bootNodes: ['/ip4/1.2.3.4/tcp/1'] }, 'bootNodes[0]'],
    [{ ...base, bootNodes: ['not a multiaddr'] }, 'bootNodes[0]'],
    [{ ...base, genesis: { stateRootHash: '0x1234' } }, 'genesis.stateRootHash'],
    [{ ...base, genesis: {} }, 'genesis'],
    [{ ...base, genesis: { runtime: {} } }, 'genesis'],
    [{ ...base, para_id: 5 }, 'relay_chain'],
    [{ ...base, codeSubstitutes: { abc: '0x00' } }, 'codeSubstitutes["abc"]'],
    [{ ...base, lightSyncState: { babeEpochChanges: '0x00', babeFinalizedBlockWeight: 1, finalizedBlockHeader: '0x00', grandpaAuthoritySet: '0x00' } }, 'lightSyncState.finalizedBlockHeader'],
    [{ ...base, genesis: { raw: { top: { '0xzz': '0x00' } } } }, 'genesis.raw.top key 0xzz'],
  ]
  for (const [json, field] of cases) {
    assert.throws(() => parseChainSpec(JSON.stringify(json)), (e: unknown) => e instanceof ChainSpecError && e.field === field, JSON.stringify(json).slice(0, 80))
  }
  assert.throws(() => parseChainSpec('{not json'), (e: unknown) => e instanceof ChainSpecError && e.code === 'BadJson')
  assert.throws(() => parseChainSpec('[]'), (e: unknown) => e instanceof ChainSpecError && e.code === 'BadJson')
})

test('robustness: truncated and mutated real specs give ChainSpecError only', needsFixtures, () => {
  const text = readFixtureText('chain-specs', 'westend2.json')
  const j = JSON.parse(text)
  fc.assert(
    fc.property(fc.nat({ max: text.length }), (cut) => {
      try {
        parseChainSpec(text.slice(0, cut))
      } catch (e) {
        assert.ok(e instanceof ChainSpecError, String(e))
      }
    }),
    { numRuns: 300 },
  )
  // Mutate the checkpoint's hex blobs: truncation and byte flips must give BadCheckpoint/BadField, never a crash.
  const keys = ['babeEpochChanges', 'finalizedBlockHeader', 'grandpaAuthoritySet'] as const
  fc.assert(
    fc.property(fc.constantFrom(...keys), fc.nat(), fc.nat({ max: 255 }), fc.boolean(), (k, pos, v, truncate) => {
      const blob: string = j.lightSyncState[k]
      const bytes = Buffer.from(blob.slice(2), 'hex')
      const p = pos % bytes.length
      const m = truncate ? bytes.subarray(0, p) : (bytes[p] = v, bytes)
      const copy = { ...j, lightSyncState: { ...j.lightSyncState, [k]: '0x' + Buffer.from(m).toString('hex') } }
      try {
        parseChainSpec(JSON.stringify(copy))
      } catch (e) {
        assert.ok(e instanceof ChainSpecError, String(e))
      }
    }),
    { numRuns: 1000 },
  )
})
