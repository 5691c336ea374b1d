// #27, relay side: Polkadot Coretime (its parachain dev spec) registered in polkadot-dev's genesis, judged
// by the relay runtime itself in the reference executor (@acala-network/chopsticks-executor): at genesis
// `ParachainHost_persisted_validation_data(1005, Included)` holds Coretime's genesis head as parent head,
// `ParachainHost_validation_code_hash` the hash of its `:code`, `ParachainHost_validation_code` the code, and
// `ParachainHost_availability_cores` one core; before, the para is unknown. Nothing else in the genesis
// storage changes but the Paras and scheduler items.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, Writer, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'
import { withGenesisParachains } from '../../src/chain-spec/relay-paras.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { blake2_256, storagePrefix } from '../../src/crypto/index.ts'
import { chopsticksCall } from '../support/chopsticks.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('Coretime registered in polkadot-dev\'s genesis: the relay runtime knows its head, code and core', { ...needsFixtures, timeout: 120_000 }, async () => {
  const relayJson = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const paraJson = parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), relayJson.id)
  const para = parseChainSpec(JSON.stringify(paraJson))
  const head = encodeHeader(genesisHeader(para))
  const code = genesisStorage(para.genesis as never).get(utf8(':code'))!
  const derived = withGenesisParachains(relayJson, [{ id: 1005, genesisHead: head, validationCode: code }])

  const ask = async (specJson: unknown, method: string, args: Uint8Array) => {
    const state = genesisStorage(parseChainSpec(JSON.stringify(specJson)).genesis as never)
    return fromHex(await chopsticksCall(state, toHex(state.get(utf8(':code'))!), method, toHex(args)))
  }
  const paraArgs = new Writer(5).u32(1005).u8(0).finish() // (ParaId, OccupiedCoreAssumption::Included)
  assert.deepEqual([...(await ask(relayJson, 'ParachainHost_persisted_validation_data', paraArgs))], [0], 'unknown before: None')

  const pvd = new Reader(await ask(derived, 'ParachainHost_persisted_validation_data', paraArgs))
  assert.equal(pvd.u8(), 1, 'Some')
  assert.equal(toHex(pvd.vecU8()), toHex(head), 'parent head: Coretime\'s genesis header')
  assert.equal(pvd.u32(), 0, 'relay parent number')
  // relay parent storage root: the runtime asks the host for the state root, which the reference executor
  // computes over the call's changes only (none here: the empty trie's root), as Chopsticks does
  pvd.bytes_(32)
  assert.equal(pvd.u32(), 5 * 1024 * 1024, "max PoV size: polkadot-dev's configuration")
  assert.equal(pvd.remaining, 0)

  const hash = new Reader(await ask(derived, 'ParachainHost_validation_code_hash', paraArgs))
  assert.equal(hash.u8(), 1)
  assert.equal(toHex(hash.bytes_(32)), toHex(blake2_256(code)))
  const served = new Reader(await ask(derived, 'ParachainHost_validation_code', paraArgs))
  assert.equal(served.u8(), 1)
  assert.equal(toHex(blake2_256(served.vecU8())), toHex(blake2_256(code)), 'the code itself')
  const cores = new Reader(await ask(derived, 'ParachainHost_availability_cores', new Uint8Array()))
  assert.equal(cores.compact(), 1n, 'one availability core')
  const groups = new Reader(await ask(derived, 'ParachainHost_validator_groups', new Uint8Array()))
  assert.deepEqual(groups.vec((r) => r.vec((x) => x.u32())), [[0]], 'Alice, the one validator, backs it')

  // nothing else changed
  const before: Record<string, string> = relayJson.genesis.raw.top
  const after: Record<string, string> = (derived as { genesis: { raw: { top: Record<string, string> } } }).genesis.raw.top
  const touched = [toHex(storagePrefix('Paras', 'Parachains')).slice(0, 34), toHex(storagePrefix('ParaScheduler', 'ValidatorGroups')).slice(0, 34)]
  for (const [k, v] of Object.entries(before)) if (!touched.some((p) => k.startsWith(p))) assert.equal(after[k], v, k)
  for (const k of Object.keys(after)) if (!(k in before)) assert.ok(k.startsWith(touched[0]), `${k}: only Paras items are added`)
})
