// A 10,000-key storage map paged through by a light client: `state_getKeysPaged` in pages of 100 over
// System.Account of a node-template devnet whose genesis holds 10,000 extra accounts (this file derives
// the spec: node-template's, plus the accounts, nothing else changed). sublight's light client and
// smoldot each page through all of it in their own process, one after the other, against the same
// in-process `sublight dev` node, which counts the read-proof requests each one makes and the bytes it
// sends them. The proof requests per page is the figure: before #25 sublight walked the whole prefix
// (capped at 64 rounds: a map this size failed) for every page.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { concatBytes, toHex } from '../src/codec/index.ts'
import { blake2_128, blake2_256 } from '../src/crypto/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { DevNode } from '../src/full-node/index.ts'
import { readFixtureText } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const ACCOUNTS = 10_000
const PREFIX = '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9'
const spec = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
const top = spec.genesis.raw.top as Record<string, string>
const existing = Object.keys(top).filter((k) => k.startsWith(PREFIX)).length
// AccountInfo { nonce 0, consumers 0, providers 1, sufficients 0, free 1 unit, reserved, frozen, flags }: 80 bytes
const info = toHex(concatBytes(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array([0, 0x10, 0xa5, 0xd4, 0xe8, ...new Array(11).fill(0)]), new Uint8Array(48)))
for (let i = 0; i < ACCOUNTS; i++) {
  const account = blake2_256(new Uint8Array([i & 255, (i >> 8) & 255, 0xbe]))
  top[PREFIX + toHex(concatBytes(blake2_128(account), account)).slice(2)] = info
}
const dir = mkdtempSync(join(tmpdir(), 'sublight-paged-'))
const specFile = join(dir, 'spec.json')
writeFileSync(specFile, JSON.stringify(spec))

const dev = await DevNode.start({ spec: parseChainSpec(JSON.stringify(spec)), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
const counts = { proofs: 0, bytes: 0 }
const readProof = dev.chain.readProof.bind(dev.chain)
;(dev.chain as { readProof: typeof readProof }).readProof = (block, keys) => {
  const p = readProof(block, keys)
  counts.proofs++
  counts.bytes += p?.length ?? 0
  return p
}
await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')

async function run(impl: 'sublight' | 'smoldot') {
  const before = { ...counts }
  const p = spawn(process.execPath, ['--import', 'tsx', new URL('./paged-scan-client.mjs', import.meta.url).pathname, impl, specFile, dev.host.addresses()[0], PREFIX], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  await new Promise((r) => p.on('exit', r))
  const m = /RESULT (.*)/.exec(out)
  if (!m) throw new Error(`${impl}: no result\n${out}`)
  const r = JSON.parse(m[1]) as { keys: number; distinct: number; ordered: boolean; pages: number; ms: number }
  // the client's own start (runtime, metadata...) asks a few proofs too: counted, and small beside the scan
  return { ...r, proofs: counts.proofs - before.proofs, kib: (counts.bytes - before.bytes) / 1024 }
}

const ours = await run('sublight')
const theirs = await run('smoldot')
const total = ACCOUNTS + existing
const line = (r: typeof ours) => `${r.distinct} of ${total} keys${r.ordered ? '' : ' (pages out of key order)'}, ${r.pages} pages, ${r.proofs} proofs (${(r.proofs / r.pages).toFixed(1)}/page), ${r.kib.toFixed(0)} KiB, ${(r.ms / 1000).toFixed(1)} s`
console.log(`| ${total} keys, state_getKeysPaged by 100 | sublight ${line(ours)} | smoldot ${line(theirs)} | proofs/page ${(ours.proofs / ours.pages / (theirs.proofs / theirs.pages)).toFixed(2)}×, KiB ${(ours.kib / theirs.kib).toFixed(2)}×, time ${(ours.ms / theirs.ms).toFixed(2)}× |`)
if (ours.distinct !== total || !ours.ordered) throw new Error(`sublight: ${ours.distinct} of ${total} keys, ordered ${ours.ordered}`)
await dev.stop()
process.exit(0)
