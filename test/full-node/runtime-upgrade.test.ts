// #12, acceptance 4 (on node-template: Polkadot 9390, the relay devnet's runtime, has no Sudo pallet and
// no governance origin a devnet can reach, so no signed account can set its code): a runtime upgrade.
// A changed runtime blob — node-template's own code with its embedded `runtime_version` section saying
// spec version + 1, which is what Substrate's `can_set_code`, smoldot and our executor read — is set
// through `sudo.sudoUncheckedWeight(system.setCode(...))`, signed by Alice (the sudo key) and sent with
// author_submitAndWatchExtrinsic by @polkadot/api. Then: the block enacting it carries
// RuntimeEnvironmentUpdated; the node's state_getRuntimeVersion and its state_subscribeRuntimeVersion
// report the new version; smoldot, following the node, reports that block's newBlock with the new
// runtime; and block production and finality go on, the new code executing the blocks after it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { Reader, toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { storagePrefix } from '../../src/crypto/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { decompressRuntimeCode, wasmCustomSections } from '../../src/executor/runtime-code.ts'
import { DevNode, acceleratedClock, genesisState } from '../../src/full-node/index.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const follow = new URL('../support/smoldot-follow.mjs', import.meta.url).pathname

/** `code` with the spec version in its `runtime_version` custom section set to `specVersion` (in place: same size). */
function withSpecVersion(code: Uint8Array, specVersion: number): Uint8Array {
  const wasm = decompressRuntimeCode(code).slice()
  const [section] = wasmCustomSections(wasm, 'runtime_version')
  const r = new Reader(section)
  r.str()
  r.str()
  r.u32()
  new DataView(section.buffer, section.byteOffset).setUint32(r.pos, specVersion, true)
  return wasm
}

test('runtime upgrade: setCode through sudo, the node and smoldot report the new runtime, blocks and finality go on', { ...needsFixtures, timeout: 240_000 }, async () => {
  const specFile = fixturePath('chain-specs', 'node-template.json')
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  // 2 s slots: the upgrade and the blocks after it in a few seconds
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0, clock: acceleratedClock(3) })
  let api: ApiPromise | undefined
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const smoldot = promisify(execFile)(process.execPath, [follow, specFile, dev.host.addresses()[0], toHex(storagePrefix('System', 'Number')), '30000'], { timeout: 150_000, maxBuffer: 256 << 20 })

    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    const before = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber()
    const versions: number[] = []
    const unsubVersion = await api.rpc.state.subscribeRuntimeVersion((v) => void versions.push(v.specVersion.toNumber()))
    const code = withSpecVersion(genesisState(spec).get(utf8(':code'))!, before + 1)

    // wait for smoldot to be following before the upgrade (it initializes within a few blocks)
    await new Promise((r) => setTimeout(r, 8_000))
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    let inBlock: string | undefined
    const statuses: string[] = []
    // (this node-template weighs calls with a plain u64)
    const unsub = await api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCode(toHex(code)), 1).signAndSend(alice, (r) => {
      statuses.push(r.status.type)
      if (r.status.isInBlock) inBlock = r.status.asInBlock.toHex()
      // (in one loaded clean-clone run @polkadot/api gave Ready, Broadcast, Finalized with no InBlock — it
      // fetches each block's events before the callback, here at the block changing the runtime; cause not
      // established. The Finalized status names the same block; InBlock itself is checked by other tests)
      else if (r.status.isFinalized) inBlock ??= r.status.asFinalized.toHex()
    })
    await waitFor(() => inBlock !== undefined, 60_000, () => `the setCode extrinsic in a block (${statuses.join(',')})`)
    unsub()
    const setAt = dev.chain.block(Uint8Array.from(Buffer.from(inBlock!.slice(2), 'hex')))!.header
    // the block that set the code says so in its digest; the next one runs it
    assert.ok(setAt.digest.some((d) => d.type === 'runtimeEnvironmentUpdated'), 'RuntimeEnvironmentUpdated in the block that set the code')
    await waitFor(() => dev.chain.finalized().number >= setAt.number + 3, 60_000, 'finality three blocks past the upgrade')
    assert.equal((await api.rpc.state.getRuntimeVersion()).specVersion.toNumber(), before + 1)
    await waitFor(() => versions.includes(before + 1), 10_000, () => `state_subscribeRuntimeVersion reporting ${before + 1} (saw ${versions.join(',')})`)
    unsubVersion()
    // an old block still answers with the old runtime
    assert.equal((await api.rpc.state.getRuntimeVersion(setAt.parentHash)).specVersion.toNumber(), before)

    const { stdout } = await smoldot
    const r = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    assert.equal(r.error, undefined, r.error)
    const upgraded = r.events.find((e: any) => e.event === 'newBlock' && e.newRuntime)
    assert.ok(upgraded, "smoldot's newBlock with a newRuntime")
    assert.equal(upgraded.newRuntime.spec.specVersion, before + 1)
    assert.equal(upgraded.newRuntime.spec.specName, 'node-template')
    // it is the block that set the code (chainHead's runtime of a block is the code in its state), and smoldot finalized it
    assert.equal(upgraded.blockHash, toHex(headerHash(setAt)))
    assert.equal((await api.rpc.state.getRuntimeVersion(upgraded.blockHash)).specVersion.toNumber(), before + 1, "the node's runtime at that block")
    const finalized = r.events.filter((e: any) => e.event === 'finalized').flatMap((e: any) => e.finalizedBlockHashes)
    assert.ok(finalized.includes(upgraded.blockHash), 'smoldot finalized the block of the new runtime')
  } finally {
    await api?.disconnect()
    await dev.stop()
  }
})
