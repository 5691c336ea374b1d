// #27, acceptance 1: a relay devnet (`sublight dev` on polkadot-dev with Alice and Bob, Coretime
// registered at genesis) and a Coretime collator (`sublight dev --chain <Coretime dev spec> --relay <the
// relay's JSON-RPC>`), two processes. Judged from the relay by @polkadot/api (an independent client of
// the relay runtime's own storage and events): `Paras::Heads(1005)` advances over successive relay
// blocks, each head is a block the collator authored (its hash is one of the collator's blocks at that
// number), `paraInclusion.CandidateBacked` and `CandidateIncluded` are in the relay's events; and the
// collator's finalized block is the head included in the relay's finalized block.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'
import { withGenesisParachains } from '../../src/chain-spec/relay-paras.ts'
import { withValidators } from '../../src/chain-spec/validators.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { DevProcess, freePort } from '../support/dev-process.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const PARA = 1005

test('relay devnet + Coretime collator (two processes): the relay runtime includes the collator\'s blocks, and the collator finalizes what the relay finalized', { ...needsFixtures, timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-paras-'))
  const relayJson = withValidators(JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json')), ['//Alice', '//Bob'])
  const paraJson = parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), String(relayJson.id))
  const para = parseChainSpec(JSON.stringify(paraJson))
  const code = genesisStorage(para.genesis as never).get(utf8(':code'))!
  writeFileSync(join(dir, 'relay.json'), JSON.stringify(withGenesisParachains(relayJson, [{ id: PARA, genesisHead: encodeHeader(genesisHeader(para)), validationCode: code }])))
  writeFileSync(join(dir, 'para.json'), JSON.stringify(paraJson))
  const [relayRpc, paraRpc, relayP2p, paraP2p] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const relay = new DevProcess(['--chain', join(dir, 'relay.json'), '--tmp', '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${relayP2p}/ws`, '--rpc-port', String(relayRpc)])
  const collator = new DevProcess(['--chain', join(dir, 'para.json'), '--tmp', '--alice', '--listen', `/ip4/127.0.0.1/tcp/${paraP2p}/ws`, '--rpc-port', String(paraRpc), '--relay', `ws://127.0.0.1:${relayRpc}`])
  let api: ApiPromise | undefined
  let paraApi: ApiPromise | undefined
  try {
    await relay.start()
    await collator.start()
    await waitFor(() => (collator.status?.finalized ?? 0) >= 2, 150_000, () => `the collator finalizing #2\n${collator.out}\n${collator.err}\n${relay.err}`)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${relayRpc}`), noInitWarn: true })
    paraApi = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${paraRpc}`), noInitWarn: true })

    // the relay's finalized chain, block by block: the para head it holds, and the inclusion events
    const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber()
    const heads: string[] = []
    const events = new Set<string>()
    for (let n = 1; n <= fin; n++) {
      const at = await api.at(await api.rpc.chain.getBlockHash(n))
      const head = ((await at.query.paras.heads(PARA)) as unknown as { unwrap(): { toU8a(bare: boolean): Uint8Array } }).unwrap().toU8a(true)
      const hash = toHex(blake2_256(head))
      if (heads.at(-1) !== hash) heads.push(hash)
      for (const e of (await at.query.system.events()) as unknown as { event: { section: string; method: string } }[]) events.add(`${e.event.section}.${e.event.method}`)
    }
    assert.ok(heads.length >= 3, `the para head moved at least twice over ${fin} relay blocks (${heads.length} heads)`)
    assert.ok(events.has('paraInclusion.CandidateBacked') && events.has('paraInclusion.CandidateIncluded'), [...events].join(' '))
    // each head after genesis is one of the collator's blocks
    for (const h of heads.slice(1)) {
      const header: { hash: { toHex(): string } } = await paraApi.rpc.chain.getHeader(h)
      assert.equal(header.hash.toHex(), h, 'the collator holds the block the relay included')
    }
    assert.equal(heads[0], toHex(blake2_256(encodeHeader(genesisHeader(para)))), 'the genesis head first')

    // the collator's finalized block is the head included in a relay finalized block (the relay may have
    // moved on meanwhile: it is one of the heads seen, and the newest of them or its predecessor)
    const paraFin = (await paraApi.rpc.chain.getFinalizedHead()).toHex()
    assert.ok(heads.includes(paraFin), `the collator's finalized ${paraFin} is a head the relay finalized`)
  } finally {
    await api?.disconnect()
    await paraApi?.disconnect()
    await collator.kill('SIGTERM')
    await relay.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
})
