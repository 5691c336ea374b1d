// #27: `sublight chain-spec parachain-dev` on the real Polkadot Coretime spec (para 1005, 7 collators):
// Alice becomes the only collator and the relay is the given spec's; every other field and every other
// genesis storage item is byte-identical. Judged by the runtime itself in the reference executor
// (@acala-network/chopsticks-executor): `AuraApi_authorities` answers the 7 genesis collators before and
// only Alice after; and the rewritten items decode as pallet-session and collator-selection lay them out.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Reader, fromHex, toHex } from '../../src/codec/index.ts'
import { genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { hashKey, sr25519FromSuri, storagePrefix } from '../../src/crypto/index.ts'
import { concatBytes } from '../../src/codec/index.ts'
import { chopsticksCall } from '../support/chopsticks.ts'
import { TypeRegistry } from '@polkadot/types'
import { ENDOWMENT } from '../../src/chain-spec/parachain-dev.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const k = (pallet: string, item: string, map?: Uint8Array) => toHex(concatBytes(storagePrefix(pallet, item), ...(map ? [hashKey('Twox64Concat', map)] : [])))

test('parachain-dev: Alice is the only collator, the relay is the given one, nothing else changes', { ...needsFixtures, timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'chain-spec', 'parachain-dev', fixturePath('chain-specs', 'polkadot_coretime.json'), '--relay', fixturePath('chain-specs', 'polkadot-dev.json')], { maxBuffer: 64 << 20 })
  const original = JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json'))
  const derived = JSON.parse(stdout)
  const alice = sr25519FromSuri('//Alice').publicKey

  // every field but the relay and the boot nodes, as it was
  assert.equal(derived.relay_chain, 'dev', "polkadot-dev's spec id")
  assert.deepEqual(derived.bootNodes, [])
  for (const f of Object.keys(original)) if (!['relay_chain', 'bootNodes', 'genesis'].includes(f)) assert.deepEqual(derived[f], original[f], f)
  assert.deepEqual(Object.keys(derived).sort(), Object.keys(original).sort())

  // the storage: only the collator items differ
  const before: Record<string, string> = original.genesis.raw.top
  const after: Record<string, string> = derived.genesis.raw.top
  const collators = new Reader(fromHex(before[k('Session', 'Validators')])).vec((r) => r.bytes_(32))
  assert.equal(collators.length, 7)
  const rewritten = new Set([k('Aura', 'Authorities'), k('AuraExt', 'Authorities'), k('CollatorSelection', 'Invulnerables'), k('Session', 'Validators'), k('Session', 'QueuedKeys')])
  const nextKeys = (who: Uint8Array) => k('Session', 'NextKeys', who)
  const keyOwnerPrefix = k('Session', 'KeyOwner')
  for (const [key, value] of Object.entries(before)) {
    if (rewritten.has(key)) continue
    if (collators.some((c) => key === nextKeys(c)) || key.startsWith(keyOwnerPrefix)) {
      assert.equal(after[key], undefined, `${key}: a genesis collator's session entry is gone`)
      continue
    }
    assert.equal(after[key], value, `${key} unchanged`)
  }
  const added = Object.keys(after).filter((key) => !(key in before))
  assert.deepEqual(added.sort(), [nextKeys(alice), ...Object.keys(after).filter((x) => x.startsWith(keyOwnerPrefix))].sort())
  for (const item of ['Aura', 'AuraExt']) assert.equal(after[k(item, 'Authorities')], toHex(new Uint8Array([4, ...alice])), `${item}::Authorities`)
  assert.equal(after[k('CollatorSelection', 'Invulnerables')], toHex(new Uint8Array([4, ...alice])))
  assert.equal(after[k('Session', 'Validators')], toHex(new Uint8Array([4, ...alice])))
  assert.equal(after[k('Session', 'QueuedKeys')], toHex(new Uint8Array([4, ...alice, ...alice])))
  assert.equal(after[nextKeys(alice)], toHex(alice))
  const owners = Object.entries(after).filter(([x]) => x.startsWith(keyOwnerPrefix))
  assert.equal(owners.length, 1)
  assert.equal(owners[0][1], toHex(alice), 'Alice owns her Aura key')
  assert.ok(owners[0][0].endsWith(toHex(new Uint8Array([...new TextEncoder().encode('aura'), 128, ...alice])).slice(2)), "keyed by (b\"aura\", Alice's key)")

  // the runtime's own answer, in the reference executor
  const aura = async (specJson: unknown) => {
    const state = genesisStorage(parseChainSpec(JSON.stringify(specJson)).genesis as never)
    const out = await chopsticksCall(state, toHex(state.get(new TextEncoder().encode(':code'))!), 'AuraApi_authorities', '0x')
    return new Reader(fromHex(out)).vec((r) => toHex(r.bytes_(32)))
  }
  assert.deepEqual(await aura(original), new Reader(fromHex(before[k('Aura', 'Authorities')])).vec((r) => toHex(r.bytes_(32))), 'the 7 genesis collators')
  assert.deepEqual(await aura(derived), [toHex(alice)], 'Alice alone')
})

test('parachain-dev refuses a relay chain spec as the parachain, and a parachain as the relay', needsFixtures, async () => {
  const run = (args: string[]) => promisify(execFile)(process.execPath, [bin, 'chain-spec', 'parachain-dev', ...args]).then(() => '', (e: { stderr: string; code: number }) => `${e.code} ${e.stderr}`)
  assert.match(await run([fixturePath('chain-specs', 'polkadot-dev.json'), '--relay', fixturePath('chain-specs', 'polkadot-dev.json')]), /^1 .*not a parachain spec/)
  assert.match(await run([fixturePath('chain-specs', 'polkadot_coretime.json'), '--relay', fixturePath('chain-specs', 'polkadot_coretime.json')]), /^1 .*parachain's spec, not a relay chain's/)
  assert.match(await run([fixturePath('chain-specs', 'polkadot_coretime.json')]), /^1 .*usage: sublight chain-spec parachain-dev/)
})

test('parachain-dev --endow: an account for each given dev key and the total issuance raised by as much; nothing else', needsFixtures, async () => {
  const args = [bin, 'chain-spec', 'parachain-dev', fixturePath('chain-specs', 'polkadot_coretime.json'), '--relay', fixturePath('chain-specs', 'polkadot-dev.json')]
  const plain = JSON.parse((await promisify(execFile)(process.execPath, args, { maxBuffer: 64 << 20 })).stdout).genesis.raw.top as Record<string, string>
  const endowed = JSON.parse((await promisify(execFile)(process.execPath, [...args, '--endow', '//Alice', '--endow', '//Bob'], { maxBuffer: 64 << 20 })).stdout).genesis.raw.top as Record<string, string>
  const accountKey = (suri: string) => toHex(concatBytes(storagePrefix('System', 'Account'), hashKey('Blake2_128Concat', sr25519FromSuri(suri).publicKey)))
  const issuanceKey = toHex(storagePrefix('Balances', 'TotalIssuance'))
  const changed = Object.keys(endowed).filter((key) => endowed[key] !== plain[key]).sort()
  assert.deepEqual(changed, [accountKey('//Alice'), accountKey('//Bob'), issuanceKey].sort())
  // decoded by @polkadot/types' AccountInfo (the layout of the runtime's System::Account)
  const registry = new TypeRegistry()
  for (const who of ['//Alice', '//Bob']) {
    const info = registry.createType('AccountInfoWithTripleRefCount', fromHex(endowed[accountKey(who)])) as unknown as { providers: { toNumber(): number }; data: { free: { toBigInt(): bigint }; reserved: { toBigInt(): bigint } } }
    assert.equal(info.providers.toNumber(), 1)
    assert.equal(info.data.free.toBigInt(), ENDOWMENT)
    assert.equal(info.data.reserved.toBigInt(), 0n)
  }
  assert.equal(new Reader(fromHex(endowed[issuanceKey])).u128(), new Reader(fromHex(plain[issuanceKey])).u128() + 2n * ENDOWMENT)
})
