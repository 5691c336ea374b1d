// #27, acceptances 2 and 3: a real parachain — Polkadot Coretime's runtime, authored by our collator and
// included by the relay devnet's runtime (polkadot-dev, Alice and Bob) — followed through the relay by
// our light client and by smoldot 3.4.1, side by side. Our client's `chainHead_v1_follow` initializes at
// a head the relay finalized, reports the parachain's new blocks, best and finalized blocks as the
// collator goes on; storage and `Metadata_metadata` at its finalized block equal the collator's own
// answers; a balance transfer submitted through its `transactionWatch_v1` reaches `finalized` in a
// collator block (#27, acceptance 4; Alice endowed by `parachain-dev --endow`), and so does one sent
// with @polkadot/api through `sublight light --chain <para> --relay <relay>`; its finalized database
// (#27, acceptance 6) restarts a second client at the saved block; and the finalized
// parachain hashes it reports are the ones smoldot reports (the independent judge that the relay's
// inclusion and para heads are right), and all are blocks of the collator.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { Reader, Writer, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'
import { withGenesisParachains } from '../../src/chain-spec/relay-paras.ts'
import { withValidators } from '../../src/chain-spec/validators.ts'
import { blake2_256, storageKey } from '../../src/crypto/index.ts'
import { encodeHeader, headerHash } from '../../src/header/index.ts'
import { decodeDatabase } from '../../src/light-client/database.ts'
import { DevNode, runtimeAt } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { freePort } from '../support/dev-process.ts'
import { transferToFinality } from '../support/polkadot-js.ts'

const PARA = 1005
const smoldotFollow = new URL('../support/smoldot-para-follow.mjs', import.meta.url).pathname
const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('a Coretime parachain on the relay devnet: our light client and smoldot report the same finalized parachain blocks', { ...needsFixtures, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-para-lc-'))
  const relayJson = withValidators(JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json')), ['//Alice', '//Bob'])
  const paraJson = parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), String(relayJson.id), { endow: ['//Alice'] })
  const paraSpec = parseChainSpec(JSON.stringify(paraJson))
  const code = genesisStorage(paraSpec.genesis as never).get(utf8(':code'))!
  const withPara = withGenesisParachains(relayJson, [{ id: PARA, genesisHead: encodeHeader(genesisHeader(paraSpec)), validationCode: code }])
  const relay = await DevNode.start({ spec: parseChainSpec(JSON.stringify(withPara)), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0 })
  const collator = await DevNode.start({ spec: paraSpec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0, collator: { relay: `ws://127.0.0.1:${relay.rpc!.port}`, paraId: PARA } })
  let api: ApiPromise | undefined
  const client = start({ maxLogLevel: Number(process.env.SUBLIGHT_LOG ?? 1), logCallback: (l, t, m) => void (process.env.SUBLIGHT_LOG && console.error(l, t, m)) })
  try {
    const relayLight = { ...withPara, bootNodes: [relay.host.addresses()[0]] }
    const paraLight = { ...paraJson, bootNodes: [collator.host.addresses()[0]] }
    writeFileSync(join(dir, 'relay.json'), JSON.stringify(relayLight))
    writeFileSync(join(dir, 'para.json'), JSON.stringify(paraLight))
    const smoldot = promisify(execFile)(process.execPath, [smoldotFollow, join(dir, 'relay.json'), join(dir, 'para.json'), '3', '200000'], { timeout: 240_000, maxBuffer: 64 << 20 })

    const relayChain = await client.addChain({ chainSpec: JSON.stringify(relayLight), disableJsonRpc: true })
    const para = await client.addChain({ chainSpec: JSON.stringify(paraLight), potentialRelayChains: [relayChain] })
    const { rpc, event, events, notes } = session(para)
    const sub = (await rpc('chainHead_v1_follow', [true])).result as string
    await waitFor(() => events.some((e) => e.event === 'initialized'), 120_000, 'initialized')
    const init = await event((e) => e.event === 'initialized', 'initialized')
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'coretime-polkadot')
    const ours: string[] = [...init.finalizedBlockHashes]
    // it starts at the para head of a finalized relay block (`Paras::Heads(1005)` read from the relay
    // node's own state, not through the client)
    const headKey = storageKey('Paras', 'Heads', ['Twox64Concat', new Writer(4).u32(PARA).finish()])
    const finalizedHeads = new Set<string>()
    for (let n = 0; n <= relay.chain.finalized().number; n++) {
      const value = relay.chain.stateOf(relay.chain.blockAt(n)!.hash)?.get(headKey)
      if (!value) continue
      const r = new Reader(value)
      finalizedHeads.add(toHex(blake2_256(r.bytes_(r.compactNumber()))))
    }
    assert.ok(finalizedHeads.has(init.finalizedBlockHashes.at(-1)), 'initialized at a para head of the relay\'s finalized chain')
    // three parachain blocks finalized after the initial one
    await waitFor(() => events.filter((e) => e.event === 'finalized').flatMap((e) => e.finalizedBlockHashes as string[]).length >= 3, 200_000, 'three finalized parachain blocks')
    for (const e of events) if (e.event === 'finalized') ours.push(...e.finalizedBlockHashes)
    assert.ok(events.some((e) => e.event === 'newBlock') && events.some((e) => e.event === 'bestBlockChanged'), 'new blocks and best blocks reported')
    // every finalized block is one of the collator's, finalized there too, in order
    let last = -1
    for (const h of ours) {
      const b = collator.chain.block(fromHex(h))
      assert.ok(b, `${h} is a collator block`)
      assert.ok(b.header.number > last, 'finalized blocks in ascending order')
      last = b.header.number
    }
    // storage and Metadata at our finalized block: the collator's own answers
    const at = ours.at(-1)!
    const state = collator.chain.stateOf(fromHex(at))!
    const numberKey = toHex(storageKey('System', 'Number'))
    const st = (await rpc('chainHead_v1_storage', [sub, at, [{ key: numberKey, type: 'value' }], null])).result
    const items = await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems', 'storage items')
    assert.equal(items.items[0].value, toHex(state.get(fromHex(numberKey))!))
    assert.equal(new Reader(fromHex(items.items[0].value)).u32(), last)
    const call = (await rpc('chainHead_v1_call', [sub, at, 'Metadata_metadata', '0x'])).result
    const done = await event((e) => e.operationId === call.operationId && e.event === 'operationCallDone', 'Metadata_metadata')
    assert.equal(done.output, toHex(runtimeAt(state).call('Metadata_metadata', new Uint8Array(), { storage: state }).output), 'the collator\'s metadata')

    // a transfer on the parachain, submitted through our light client, reaches finalized there (signed
    // by @polkadot/api against the collator's metadata; Alice endowed by the dev spec)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${collator.rpc!.port}`), noInitWarn: true })
    const keyring = new Keyring({ type: 'sr25519' })
    const bob = keyring.addFromUri('//Bob').address
    const tx = (await api.tx.balances.transferKeepAlive(bob, 10n ** 12n).signAsync(keyring.addFromUri('//Alice'))).toHex()
    const watch = (await rpc('transactionWatch_v1_submitAndWatch', [tx])).result as string
    const seen = () => notes.filter((n) => n.method === 'transactionWatch_v1_watchEvent' && n.params.subscription === watch).map((n) => n.params.result)
    await waitFor(() => seen().some((e) => e.event === 'finalized' || e.event === 'invalid' || e.event === 'error' || e.event === 'dropped'), 120_000, () => `the transfer finalized (${JSON.stringify(seen())})`)
    const fin = seen().find((e) => e.event === 'finalized')
    assert.ok(fin, JSON.stringify(seen()))
    const inBlock = collator.chain.block(fromHex(fin.block.hash))
    assert.ok(inBlock && inBlock.body.some((x) => toHex(x) === tx), 'the collator\'s block holds the transfer')
    assert.ok(inBlock.header.number <= collator.chain.finalized().number, 'final on the collator too')

    // the same through `sublight light --chain <para> --relay <relay>` and @polkadot/api
    const lightPort = await freePort()
    const light = spawn(process.execPath, [bin, 'light', '--chain', join(dir, 'para.json'), '--relay', join(dir, 'relay.json'), '--rpc-port', String(lightPort)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let lightOut = ''
    light.stdout.on('data', (d) => (lightOut += d))
    light.stderr.on('data', (d) => (lightOut += d))
    try {
      await waitFor(() => lightOut.includes('following'), 90_000, () => `sublight light following the parachain\n${lightOut}`)
      const lightApi = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${lightPort}`), noInitWarn: true })
      try {
        const { statuses, finalizedIn } = await transferToFinality(lightApi, keyring.addFromUri('//Alice'), bob, 10n ** 12n, 120_000)
        assert.ok(statuses.includes('InBlock') && statuses.at(-1) === 'Finalized', statuses.join(','))
        assert.ok(collator.chain.block(fromHex(finalizedIn)), 'finalized in a collator block')
      } finally {
        await lightApi.disconnect()
      }
    } finally {
      light.kill('SIGINT')
    }

    // (acceptance 6) the parachain's finalized database: a second client given it starts at the saved block
    const saved = (await rpc('chainHead_unstable_finalizedDatabase', [])).result as string
    const savedDb = decodeDatabase(saved, headerHash(genesisHeader(paraSpec)))
    assert.equal(savedDb.consensus.kind, 'relay')
    assert.ok(savedDb.runtime, 'the parachain runtime is saved with it')
    const savedHash = toHex(headerHash(savedDb.finalized))
    const savedBlock = collator.chain.block(fromHex(savedHash))
    assert.ok(savedBlock && savedBlock.header.number >= last && savedBlock.header.number <= collator.chain.finalized().number, 'the saved block: a finalized collator block, at or past those reported')
    assert.ok(events.some((e) => e.event === 'finalized' && e.finalizedBlockHashes?.includes(savedHash)), 'reported finalized by the client that saved it')
    const logs: string[] = []
    const second = start({ maxLogLevel: 3, logCallback: (_l, _t, m) => void logs.push(m) })
    try {
      const relay2 = await second.addChain({ chainSpec: JSON.stringify(relayLight), disableJsonRpc: true })
      const para2 = await second.addChain({ chainSpec: JSON.stringify(paraLight), potentialRelayChains: [relay2], databaseContent: saved })
      assert.ok(logs.some((l) => l.includes(`starting from the database's finalized block (parachain ${PARA}`) && l.includes(savedHash)), logs.filter((l) => l.includes('starting')).join('\n'))
      const s2 = session(para2)
      await s2.rpc('chainHead_v1_follow', [false])
      await waitFor(() => s2.events.some((e) => e.event === 'initialized'), 120_000, 'the restarted parachain initialized')
      const init2 = s2.events.find((e) => e.event === 'initialized')
      const at2 = collator.chain.block(fromHex(init2.finalizedBlockHashes.at(-1)))
      assert.ok(at2 && at2.header.number >= savedDb.finalized.number, 'it resumes at the saved block or the relay\'s newer finalized head')
    } finally {
      await second.terminate().catch(() => {})
    }

    // smoldot, on the same devnet at the same time: the same finalized parachain hashes
    const result = JSON.parse(/^RESULT (.*)$/m.exec((await smoldot).stdout)![1])
    assert.equal(result.error, undefined, result.error)
    const theirs: string[] = [...result.initialized, ...result.finalized]
    assert.ok(theirs.length >= 3, `smoldot finalized ${theirs.length} parachain blocks`)
    for (const h of theirs) assert.ok(collator.chain.block(fromHex(h)), `smoldot's ${h} is a collator block`)
    const common = theirs.filter((h) => ours.includes(h))
    assert.ok(common.length >= 2, `both report the same finalized blocks (ours ${ours.join(',')}; smoldot ${theirs.join(',')})`)
    // and neither finalizes a block the other's chain of finalized blocks excludes: at each height, one hash
    const byNumber = new Map<number, string>()
    for (const h of [...ours, ...theirs]) {
      const n = collator.chain.block(fromHex(h))!.header.number
      assert.equal(byNumber.get(n) ?? h, h, `one finalized block at #${n}`)
      byNumber.set(n, h)
    }
  } finally {
    await api?.disconnect()
    await client.terminate().catch(() => {})
    await collator.stop()
    await relay.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

