// Acceptance (#13, "start without waiting"): with no peer at all, a client started from a spec that holds
// the raw genesis storage knows the genesis runtime and storage from the spec: chainHead_v1 follow
// (with runtime) initializes at genesis, and storage, descendants and calls there are answered locally —
// equal to the spec's own values — while smoldot, offline, never initializes with a runtime.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey, storagePrefix } from '../../src/crypto/index.ts'
import { start } from '../../src/light-client/index.ts'
import { session } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('offline, at genesis: runtime, storage, descendants and calls from the spec, no peer', { ...needsFixtures, timeout: 60_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  json.bootNodes = []
  const spec = parseChainSpec(JSON.stringify(json))
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    const chain = await client.addChain({ chainSpec: JSON.stringify(json) })
    const { rpc, event, events } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [true])).result
    const init = await event((e) => e.event === 'initialized', 'initialized')
    const genesis = (await rpc('chainSpec_v1_genesisHash', [])).result
    assert.deepEqual(init.finalizedBlockHashes, [genesis])
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'node-template')
    const fromSpec = (key: Uint8Array) => spec.genesis.kind === 'raw' ? spec.genesis.top.find(([k]) => toHex(k) === toHex(key))?.[1] : undefined
    const alice = storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey])
    const op = (await rpc('chainHead_v1_storage', [sub, genesis, [{ key: toHex(alice), type: 'value' }, { key: toHex(storagePrefix('System', 'Account')), type: 'descendantsHashes' }], null])).result
    await event((e) => e.operationId === op.operationId && e.event === 'operationStorageDone', 'storage done')
    const items = events.filter((e) => e.operationId === op.operationId && e.event === 'operationStorageItems').flatMap((e) => e.items)
    assert.equal(items[0].value, toHex(fromSpec(alice)!))
    const accounts = spec.genesis.top.filter(([k]) => toHex(k).startsWith(toHex(storagePrefix('System', 'Account'))))
    assert.equal(items.length - 1, accounts.length, 'every genesis account')
    const call = (await rpc('chainHead_v1_call', [sub, genesis, 'AccountNonceApi_account_nonce', toHex(sr25519FromSuri('//Alice').publicKey)])).result
    const done = await event((e) => e.operationId === call.operationId, 'call done')
    assert.equal(done.event, 'operationCallDone')
    assert.equal(new Reader(Uint8Array.from(Buffer.from(done.output.slice(2), 'hex'))).u32(), 0)
    assert.equal((await rpc('state_getStorage', [toHex(alice), genesis])).result, toHex(fromSpec(alice)!))
    assert.equal((await rpc('system_health', [])).result.peers, 0)
  } finally {
    await client.terminate()
  }
})
