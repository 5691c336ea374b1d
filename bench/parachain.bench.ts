// A parachain devnet (#27): polkadot-dev with Alice and Bob and Polkadot Coretime registered at genesis,
// one relay node holding both keys, and our collator — both in this process. Then sublight's and
// smoldot 3.4.1's light clients, each in its own process, one after the other, add the relay and the
// parachain and follow the parachain for FOLLOW_MS: addChain → parachain `initialized`, and the
// parachain's finality lag (a para block's finality reported by the client minus the moment the collator
// finalized it, which it does on the relay's finalized head: medians). And the devnet's own figures:
// collator blocks per minute, and inclusion latency (the collator authored a block → the relay block that
// made it the para head was imported by the relay node: median).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Reader, Writer, toHex, utf8 } from '../src/codec/index.ts'
import { genesisHeader, genesisStorage, parseChainSpec } from '../src/chain-spec/index.ts'
import { parachainDevSpec } from '../src/chain-spec/parachain-dev.ts'
import { withGenesisParachains } from '../src/chain-spec/relay-paras.ts'
import { withValidators } from '../src/chain-spec/validators.ts'
import { storageKey } from '../src/crypto/index.ts'
import { encodeHeader, headerHash } from '../src/header/index.ts'
import { DevNode } from '../src/full-node/index.ts'
import { row } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const FOLLOW_MS = Number(process.env.FOLLOW_MS ?? 90_000)
const PARA = 1005
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN)

const dir = mkdtempSync(join(tmpdir(), 'sublight-para-bench-'))
const relayJson = withValidators(JSON.parse(readFileSync(`${FX}/chain-specs/polkadot-dev.json`, 'utf8')), ['//Alice', '//Bob'])
const paraJson = parachainDevSpec(JSON.parse(readFileSync(`${FX}/chain-specs/polkadot_coretime.json`, 'utf8')), String(relayJson.id))
const paraSpec = parseChainSpec(JSON.stringify(paraJson))
const code = genesisStorage(paraSpec.genesis as never).get(utf8(':code'))!
const withPara = withGenesisParachains(relayJson, [{ id: PARA, genesisHead: encodeHeader(genesisHeader(paraSpec)), validationCode: code }])
const relay = await DevNode.start({ spec: parseChainSpec(JSON.stringify(withPara)), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0 })
const collator = await DevNode.start({ spec: paraSpec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null, collator: { relay: `ws://127.0.0.1:${relay.rpc!.port}`, paraId: PARA } })

// the devnet's own clock: when each para block was authored, finalized by the collator, and made the relay's para head
const authoredAt = new Map<string, number>()
const finalizedAt = new Map<string, number>()
const includedAt = new Map<string, number>()
collator.onBlock((s) => authoredAt.set(toHex(s.hash), Date.now()))
collator.chain.onEvent((e) => {
  if (e.kind === 'finalized') finalizedAt.set(toHex(e.hash), Date.now())
})
const headKey = storageKey('Paras', 'Heads', ['Twox64Concat', new Writer(4).u32(PARA).finish()])
relay.chain.onEvent((e) => {
  if (e.kind !== 'block') return
  const head = relay.chain.stateOf(e.hash)?.get(headKey)
  if (!head) return
  const hash = toHex(headerHash(new Reader(head).vecU8()))
  if (!includedAt.has(hash)) includedAt.set(hash, Date.now())
})
const started = Date.now()

const relayFile = join(dir, 'relay.json')
const paraFile = join(dir, 'para.json')
writeFileSync(relayFile, JSON.stringify({ ...withPara, bootNodes: [relay.host.addresses()[0]] }))
writeFileSync(paraFile, JSON.stringify({ ...paraJson, bootNodes: [collator.host.addresses()[0]] }))
const run = async (impl: 'sublight' | 'smoldot') => {
  const args = [...(impl === 'sublight' && process.env.SUBLIGHT_DIST !== '1' ? ['--import', 'tsx'] : []), new URL('./parachain-client.mjs', import.meta.url).pathname, impl, relayFile, paraFile, String(FOLLOW_MS)]
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: FOLLOW_MS + 120_000, maxBuffer: 64 << 20 })
  const r = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as { initMs?: number; finalizedAt: Record<string, number> }
  const lags = Object.entries(r.finalizedAt).flatMap(([h, t]) => (finalizedAt.has(h) ? [t - finalizedAt.get(h)!] : []))
  return { initMs: r.initMs ?? NaN, lagMs: median(lags), blocks: lags.length }
}
try {
  const ours = await run('sublight')
  const theirs = await run('smoldot')
  row('addChain (relay + para) → parachain initialized', ours.initMs, theirs.initMs)
  row(`parachain finality lag behind the collator (median of ${ours.blocks} | ${theirs.blocks})`, ours.lagMs, theirs.lagMs)
  const minutes = (Date.now() - started) / 60_000
  const inclusion = [...includedAt].flatMap(([h, t]) => (authoredAt.has(h) ? [t - authoredAt.get(h)!] : []))
  console.log(`${'collator blocks per minute'.padEnd(44)} ${(collator.chain.best().number / minutes).toFixed(2)} (${collator.chain.best().number} in ${minutes.toFixed(1)} min)`)
  console.log(`${'inclusion latency: authored → relay para head'.padEnd(44)} ${median(inclusion).toFixed(0)} ms (median of ${inclusion.length})`)
} finally {
  await collator.stop()
  await relay.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
