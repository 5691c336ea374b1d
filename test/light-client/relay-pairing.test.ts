// #27 pairing, offline on the real specs: every parachain spec in the fixtures (Polkadot Asset Hub and
// Coretime, Westend Asset Hub) pairs with its relay spec there (checkpoints, boot nodes removed), and its
// genesis hash is smoldot 3.4.1's for the same specs. Beyond smoldot: a parachain naming its relay by an
// everyday alias (`westend`, `kusama`) or by the relay's genesis hash pairs too (smoldot refuses both — the
// test checks that as well, so a change on either side shows); a parachain whose relay is not offered gets
// an AddChainError naming the relay it wanted and those it was offered; the pairing is by the spec's name,
// not by order (two relays offered, each parachain takes its own).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AddChainError, start, type Chain } from '../../src/light-client/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { session } from '../support/light-client.ts'

const offline = (name: string, changes: Record<string, unknown> = {}) => JSON.stringify({ ...JSON.parse(readFixtureText('chain-specs', `${name}.json`)), bootNodes: [], ...changes })
const RELAYS = ['polkadot', 'westend2', 'ksmcc3']
const PARAS = ['polkadot_asset_hub', 'polkadot_coretime', 'westend2_asset_hub']

test('each fixture parachain pairs with its relay spec offline, with smoldot\'s genesis hash; aliases and genesis hashes pair too', { ...needsFixtures, timeout: 180_000 }, async () => {
  const relays = Object.fromEntries(RELAYS.map((r) => [r, offline(r)]))
  const paras: Record<string, string> = Object.fromEntries(PARAS.map((p) => [p, offline(p)]))
  const client = start({ maxLogLevel: 0 })
  try {
    const relayChains: Chain[] = []
    const ours: Record<string, string> = {}
    for (const [name, spec] of Object.entries(relays)) {
      const chain = await client.addChain({ chainSpec: spec })
      relayChains.push(chain)
      ours[name] = (await session(chain).rpc('chainSpec_v1_genesisHash', [])).result
    }
    // the genesis-hash and alias forms, made from the real Westend Asset Hub spec
    paras['asset_hub_by_alias'] = offline('westend2_asset_hub', { relay_chain: 'westend' })
    paras['asset_hub_by_genesis_hash'] = offline('westend2_asset_hub', { relay_chain: ours.westend2 })
    for (const [name, spec] of Object.entries(paras)) {
      const chain = await client.addChain({ chainSpec: spec, potentialRelayChains: relayChains })
      ours[name] = (await session(chain).rpc('chainSpec_v1_genesisHash', [])).result
    }
    const dir = mkdtempSync(join(tmpdir(), 'sublight-pairing-'))
    let theirs: Record<string, { genesisHash?: string; error?: string }>
    try {
      writeFileSync(join(dir, 'relays.json'), JSON.stringify(relays))
      writeFileSync(join(dir, 'paras.json'), JSON.stringify(paras))
      const { stdout } = await promisify(execFile)(process.execPath, [new URL('../support/smoldot-pairing.mjs', import.meta.url).pathname, join(dir, 'relays.json'), join(dir, 'paras.json')], { timeout: 120_000, maxBuffer: 16 << 20 })
      theirs = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    for (const name of [...RELAYS, ...PARAS]) assert.equal(ours[name], theirs[name].genesisHash, `${name}: the same genesis hash as smoldot's`)
    // the alias and genesis-hash forms are the same chain as the real Westend Asset Hub spec
    assert.equal(ours.asset_hub_by_alias, ours.westend2_asset_hub)
    assert.equal(ours.asset_hub_by_genesis_hash, ours.westend2_asset_hub)
    assert.match(theirs.asset_hub_by_alias.error ?? '', /relay chain/i, 'smoldot refuses the alias')
    assert.match(theirs.asset_hub_by_genesis_hash.error ?? '', /relay chain/i, 'smoldot refuses the genesis hash')

    // a parachain whose relay chain is not offered: the error names what it wanted and what it got
    const polkadotOnly = relayChains.slice(0, 1)
    await assert.rejects(client.addChain({ chainSpec: paras.westend2_asset_hub, potentialRelayChains: polkadotOnly }), (e: Error) => {
      assert.ok(e instanceof AddChainError)
      assert.match(e.message, /^Couldn't find relevant relay chain/)
      assert.match(e.message, /"westend2"/)
      assert.ok(e.message.includes(`polkadot (${ours.polkadot})`), e.message)
      assert.ok(!e.message.includes('ksmcc3'))
      return true
    })
    await assert.rejects(client.addChain({ chainSpec: paras.polkadot_coretime }), (e: Error) => e instanceof AddChainError && /offered: none$/.test(e.message))
  } finally {
    await client.terminate()
  }
})
