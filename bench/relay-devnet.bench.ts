// The relay devnet (#12): polkadot-dev (Polkadot runtime 9390, BABE, GRANDPA, parachains inherent) against
// node-template (Aura), on this machine, in one run:
// (1) authoring rate, blocks/s — history blocks with an epoch change every other block and the session
//     key rotation extrinsic, as `sublight dev --history` authors them — vs node-template's Aura blocks;
// (2) import rate, blocks/s — BABE verification against tracked epochs + Core_execute_block — vs
//     node-template's execution;
// (3) Core_execute_block of polkadot-dev blocks, side by side with chopsticks-executor (smoldot's
//     executor, which over callback storage stops at the root check);
// (4) warp sync across N GRANDPA set changes (N = 5 and 50): a devnet node with that history, then
//     smoldot and our light client, each in its own process, from addChain to `initialized`.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Reader, toHex, utf8 } from '../src/codec/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey, storagePrefix } from '../src/crypto/index.ts'
import { Runtime } from '../src/executor/index.ts'
import { DevChain, DevNode, authorAuraBlock, authorBlock, executeBlock } from '../src/full-node/index.ts'
import { babeAuthoring } from '../src/full-node/slot-authoring.ts'
import { BabeChain } from '../src/full-node/babe-chain.ts'
import { signingContext } from '../src/full-node/dev-extrinsics.ts'
import { rotationSigners, sessionKeyRotations } from '../src/full-node/session-keys.ts'
import { decodeBabeConfiguration } from '../src/sync/index.ts'
import { buildPackage, executeSideBySide } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const N = Number(process.env.BLOCKS ?? 60)
const row = (name: string, value: string) => console.log(name.padEnd(78), value)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const dir = mkdtempSync(join(tmpdir(), 'sublight-relay-bench-'))
const relayJson = JSON.parse(readFileSync(`${FX}/chain-specs/polkadot-dev.json`, 'utf8'))
delete relayJson.lightSyncState
const relaySpecFile = join(dir, 'polkadot-dev.json')
writeFileSync(relaySpecFile, JSON.stringify(relayJson))
const relaySpec = parseChainSpec(JSON.stringify(relayJson))
const templateSpec = parseChainSpec(readFileSync(`${FX}/chain-specs/node-template.json`, 'utf8'))

// (1) authoring
const relay = new DevChain(relaySpec, undefined, N + 1)
const g = relay.bestBlock
const authoring = babeAuthoring(Runtime.load(g.state.get(utf8(':code'))!), g.state, [sr25519FromSuri('//Alice')], [])
const ctx = signingContext(g.state, relay.genesisHash)
const signers = rotationSigners(['//Alice'])
const slot0 = BigInt(Math.floor(Date.now() / 6000)) - 2400n * BigInt(N)
let t = performance.now()
for (let i = 0; i < N; i++) {
  const best = relay.bestBlock
  const slot = slot0 + 2400n * BigInt(i >> 1) + BigInt(i & 1)
  const claim = authoring.claim(slot, best.header, best.state)!
  const { block, state } = authorBlock({ parent: best.header, parentState: best.state, ...claim, extrinsics: sessionKeyRotations(best.state, ctx, signers) })
  relay.add(block, state)
  authoring.added(block.header)
}
const relayAuthor = (N * 1000) / (performance.now() - t)
const template = new DevChain(templateSpec, undefined, N + 1)
const alice = sr25519FromSuri('//Alice')
t = performance.now()
for (let i = 1; i <= N; i++) {
  const best = template.bestBlock
  const slot = 6_000_000n + BigInt(2 * i)
  const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
  template.add(block, state)
}
const templateAuthor = (N * 1000) / (performance.now() - t)
row(`author ${N} blocks: polkadot-dev (BABE, epoch every 2 blocks, key rotation) | node-template`, `${relayAuthor.toFixed(1)} | ${templateAuthor.toFixed(1)} blocks/s | ratio ${(relayAuthor / templateAuthor).toFixed(3)}`)

// (2) import: verify + execute every block on its parent state
const conf = decodeBabeConfiguration(Runtime.load(g.state.get(utf8(':code'))!).call('BabeApi_configuration', new Uint8Array(), { storage: g.state }).output)
const epochs = new BabeChain(conf.genesis)
t = performance.now()
for (let n = 1; n <= N; n++) {
  const b = relay.blockAt(n)!
  epochs.verify(b.header, relay.blockAt(n - 1)!.header, BigInt(Math.floor(Date.now() / 6000)) + 1n)
  executeBlock(relay.blockAt(n - 1)!.state!, { header: b.header, body: b.body })
}
const relayImport = (N * 1000) / (performance.now() - t)
t = performance.now()
for (let n = 1; n <= N; n++) executeBlock(template.blockAt(n - 1)!.state!, { header: template.blockAt(n)!.header, body: template.blockAt(n)!.body })
const templateImport = (N * 1000) / (performance.now() - t)
row(`import ${N} blocks (verify + execute): polkadot-dev | node-template`, `${relayImport.toFixed(1)} | ${templateImport.toFixed(1)} blocks/s | ratio ${(relayImport / templateImport).toFixed(3)}`)

// (3) Core_execute_block vs chopsticks-executor on 10 polkadot-dev blocks
const { ours, ref } = await executeSideBySide(relay, Array.from({ length: 10 }, (_, i) => 2 + Math.floor((i * (N - 3)) / 9)))
row('Core_execute_block polkadot-dev, median of 10: sublight (+root) | chopsticks (to root check)', `${median(ours).toFixed(1)} ms | ${median(ref).toFixed(1)} ms | ratio ${(median(ours) / median(ref)).toFixed(3)}`)

// (4) warp sync across N set changes: smoldot and ours, from addChain to initialized. The history has 16
// blocks per epoch: smoldot bans a peer whose block response carries justifications of two set changes
// ahead of it, and on a young chain (a few dozen blocks) it does not warp but downloads everything
const clientScript = new URL('./light-client-run.mjs', import.meta.url).pathname
buildPackage()
const numberKey = toHex(storagePrefix('System', 'Number'))
for (const changes of [5, 50]) {
  // sets change from the third epoch on: `changes + 2` epochs of history, then real time (no more changes)
  const epochsBack = changes + 2
  const dev = await DevNode.start({ spec: relaySpec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, history: { epochs: epochsBack, blocksPerEpoch: 16, intervalMs: 0 }, rotateSessionKeys: true })
  while (dev.chain.finalized().number < 16 * epochsBack) await new Promise((r) => setTimeout(r, 200))
  const addr = dev.host.addresses()[0]
  const fin = dev.chain.finalized()
  const setId = new Reader(dev.chain.blockAt(fin.number)!.state!.get(storageKey('Grandpa', 'CurrentSetId'))!).u64()
  const run = async (args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 180_000, maxBuffer: 64 << 20 })
    return JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)).initMs as number
  }
  const theirs: number[] = []
  const mine: number[] = []
  for (let i = 0; i < 3; i++) {
    theirs.push(await run([clientScript, 'smoldot', relaySpecFile, addr, numberKey, '1']))
    mine.push(await run([clientScript, 'sublight', relaySpecFile, addr, numberKey, '1']))
  }
  await dev.stop()
  row(`warp across ${setId} set changes (#${fin.number}), addChain → initialized, median of 3: sublight | smoldot`, `${median(mine).toFixed(0)} ms | ${median(theirs).toFixed(0)} ms | ratio ${(median(mine) / median(theirs)).toFixed(3)}`)
}
rmSync(dir, { recursive: true, force: true })
process.exit(0)
