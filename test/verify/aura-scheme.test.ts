// The Aura authorities' signature scheme comes from the runtime's own metadata (the authority type's
// path, `sp_consensus_aura::sr25519::…`), not from an assumption: the live Polkadot Coretime runtime says
// sr25519; the same metadata with that path renamed says ed25519; metadata naming neither (node-template's
// older metadata exposes no Aura storage type) says nothing, and the node then assumes sr25519.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { auraKeyScheme } from '../../src/verify/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('Aura key scheme read from metadata', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'polkadot_coretime.json'))
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const st = new MemoryStorage(spec.genesis.top)
  const m = Runtime.load(st.get(utf8(':code'))!).call('Metadata_metadata', new Uint8Array(), { storage: st }).output
  assert.equal(auraKeyScheme(m), 'sr25519')
  const ed = m.slice()
  const from = utf8('sp_consensus_aura')
  let renamed = 0
  for (let i = 0; i + from.length + 8 < ed.length; i++) {
    if (from.every((b, j) => ed[i + j] === b) && ed[i + from.length] === 7 * 4 && utf8('sr25519').every((b, j) => ed[i + from.length + 1 + j] === b)) {
      ed.set(utf8('ed25519'), i + from.length + 1)
      renamed++
    }
  }
  assert.ok(renamed > 0)
  assert.equal(auraKeyScheme(ed), 'ed25519')
  assert.equal(auraKeyScheme(fromHex(readFixtureText('runtimes', 'node-template-metadata.hex').trim())), undefined)
})
