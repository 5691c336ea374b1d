// #27, acceptance 1 and the `sublight testnet --chain <relay spec> --parachain <para spec>` contract: a
// relay devnet (polkadot-dev rewritten for Alice and Bob, Coretime registered at genesis, one relay node
// holding both keys) and a Coretime collator (`sublight dev --chain <Coretime dev spec> --relay <the
// relay's JSON-RPC>`), two processes started by the command, which prints `relay rpc … p2p …`,
// `parachain 1005 rpc … p2p …`, then status lines, and stops both on Ctrl-C. Judged from the relay by
// @polkadot/api (an independent client of the relay runtime's own storage and events):
// `Paras::Heads(1005)` advances over successive relay blocks, each head is a block the collator authored
// (its hash is one of the collator's blocks), `paraInclusion.CandidateBacked` and `CandidateIncluded` are
// in the relay's events; and the collator's finalized block is a head the relay finalized. A collator
// whose relay node goes away connects again and collates for the relay that comes back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { withGenesisParachains } from '../../src/chain-spec/relay-paras.ts'
import { withValidators } from '../../src/chain-spec/validators.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { freePort } from '../support/dev-process.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const PARA = 1005
const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('sublight testnet --parachain: the relay runtime includes the collator\'s blocks, and the collator finalizes what the relay finalized', { ...needsFixtures, timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-paras-'))
  const relayJson = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const paraJson = parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), String(relayJson.id))
  const para = parseChainSpec(JSON.stringify(paraJson))
  writeFileSync(join(dir, 'para.json'), JSON.stringify(paraJson))
  const [rpcPort, p2pPort] = [await freePort(), await freePort()]
  const proc = spawn(process.execPath, [bin, 'testnet', '--chain', fixturePath('chain-specs', 'polkadot-dev.json'), '--parachain', join(dir, 'para.json'), '--rpc-port', String(rpcPort), '--port', String(p2pPort)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  let api: ApiPromise | undefined
  let paraApi: ApiPromise | undefined
  try {
    await waitFor(() => /^parachain 1005 rpc/m.test(out), 90_000, () => `the relay and parachain lines\n${out}\n${err.slice(-3000)}`)
    const lines = out.split('\n')
    assert.match(lines[0], new RegExp(`^relay rpc ws://127\\.0\\.0\\.1:${rpcPort} p2p /ip4/127\\.0\\.0\\.1/tcp/${p2pPort}/ws/p2p/\\w+$`))
    assert.match(lines[1], new RegExp(`^parachain 1005 rpc ws://127\\.0\\.0\\.1:${rpcPort + 1} p2p /ip4/127\\.0\\.0\\.1/tcp/${p2pPort + 1}/ws/p2p/\\w+$`))
    const status = () => [...out.matchAll(/^relay #(\d+) finalized #(\d+) parachain #(\d+) finalized #(\d+)$/gm)].map((m) => m.slice(1).map(Number))
    await waitFor(() => (status().at(-1)?.[3] ?? 0) >= 2, 150_000, () => `the parachain finalizing #2\n${out}\n${err.slice(-3000)}`)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${rpcPort}`), noInitWarn: true })
    paraApi = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${rpcPort + 1}`), noInitWarn: true })

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
    proc.kill('SIGINT')
    const code = await exited
    rmSync(dir, { recursive: true, force: true })
    assert.equal(code, 0, `testnet stopped cleanly on Ctrl-C\n${err.slice(-2000)}`)
    assert.match(err, /\[relay\] stopped/)
    assert.match(err, /\[parachain\] stopped/)
  }
})

test('a collator whose relay node restarts follows it again and goes on collating', { ...needsFixtures, timeout: 180_000 }, async () => {
  const relayJson = withValidators(JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json')), ['//Alice', '//Bob'])
  const paraJson = parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), String(relayJson.id))
  const paraSpec = parseChainSpec(JSON.stringify(paraJson))
  const code = genesisStorage(paraSpec.genesis as never).get(utf8(':code'))!
  const relaySpec = parseChainSpec(JSON.stringify(withGenesisParachains(relayJson, [{ id: PARA, genesisHead: encodeHeader(genesisHeader(paraSpec)), validationCode: code }])))
  const rpcPort = await freePort()
  const startRelay = () => DevNode.start({ spec: relaySpec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort })
  let relay = await startRelay()
  const logs: string[] = []
  const collator = await DevNode.start({ spec: paraSpec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null, log: (l) => void logs.push(l), collator: { relay: `ws://127.0.0.1:${rpcPort}`, paraId: PARA } })
  try {
    await waitFor(() => collator.chain.best().number >= 1, 60_000, () => `a first collation\n${logs.join('\n')}`)
    await relay.stop()
    await waitFor(() => logs.some((l) => l.includes('lost the relay node')), 10_000, 'the loss noticed')
    relay = await startRelay()
    await waitFor(() => logs.some((l) => l.includes('following the relay node') && l.includes('again')), 30_000, () => `the relay followed again\n${logs.join('\n')}`)
    const after = logs.length
    // the new relay (a fresh chain) includes genesis as the para head: the collator builds on it again
    await waitFor(() => logs.slice(after).some((l) => /collator: #\d+ on relay parent #\d+, handed to the relay/.test(l)), 60_000, () => `a collation to the new relay\n${logs.join('\n')}`)
  } finally {
    await collator.stop()
    await relay.stop()
  }
})
