// Acceptance (runtime upgrade): the devnet's runtime is replaced by sudo `system.setCodeWithoutChecks`
// with node-template's own runtime plus an extra custom section (a different code blob, same logic).
// The light client's newBlock for the upgrade block carries `newRuntime`, its `:code` there hashes to the
// new blob, and calls at that block run (on the code the client downloaded and compiled).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { concatBytes, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { decompressRuntimeCode } from '../../src/executor/index.ts'
import { DevNode, TX_SOURCE_EXTERNAL } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('a runtime upgrade: newRuntime on the upgrade block, the new code fetched and run', { ...needsFixtures, timeout: 180_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: 0 })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  let api: ApiPromise | undefined
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc, event, events } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [true])).result
    await event((e) => e.event === 'initialized', 'initialized')

    // node-template's runtime + a custom section "sublight-upgrade": another blob, the same logic
    const code = spec.genesis.top.find(([k]) => toHex(k) === toHex(utf8(':code')))![1]
    const name = utf8('sublight-upgrade')
    const payload = utf8('test')
    const newCode = concatBytes(decompressRuntimeCode(code), Uint8Array.of(0, 1 + name.length + payload.length, name.length), name, payload)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    // sudo_unchecked_weight: set_code's declared weight (the whole block) would not fit a block otherwise
    const weightType = api.tx.sudo.sudoUncheckedWeight.meta.args[1].type.toString()
    const weight = /V1|u64/.test(weightType) ? 1_000_000 : { refTime: 1_000_000, proofSize: 1_000 }
    const tx = await api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCodeWithoutChecks(toHex(newCode)), weight).signAsync(alice, { nonce: 0, era: 0 })
    dev.submit(tx.toU8a(), TX_SOURCE_EXTERNAL)

    await waitFor(() => events.some((e) => e.event === 'newBlock' && e.newRuntime), 60_000, 'a newBlock with newRuntime')
    const upgrade = events.find((e) => e.event === 'newBlock' && e.newRuntime)
    assert.equal(upgrade.newRuntime.type, 'valid')
    assert.equal(upgrade.newRuntime.spec.specName, 'node-template')
    const block = dev.chain.block(fromHex(upgrade.blockHash))!
    assert.ok(block.header.digest.some((d) => d.type === 'runtimeEnvironmentUpdated'), 'the node\'s block says the runtime changed')
    // the client's view of :code at that block is the new blob, and calls there run
    const st = (await rpc('chainHead_v1_storage', [sub, upgrade.blockHash, [{ key: toHex(utf8(':code')), type: 'hash' }], null])).result
    assert.equal((await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems', ':code hash')).items[0].hash, toHex(blake2_256(newCode)))
    const c = (await rpc('chainHead_v1_call', [sub, upgrade.blockHash, 'Core_version', '0x'])).result
    assert.equal((await event((e) => e.operationId === c.operationId, 'call at the upgrade block')).event, 'operationCallDone')
  } finally {
    await api?.disconnect()
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
