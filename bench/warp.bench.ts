// Warp sync and GRANDPA verification at scale (#24):
// (1) the real Polkadot #4,635,975 justification (199 precommits of set 450; its authority list was never
//     recorded, so signatures only): per-signature time of sublight's ed25519 check (what
//     `verifyJustification` runs: Node's native Ed25519 first, ZIP-215 rules on a native rejection) and of
//     the pure-JS path a browser without WebCrypto Ed25519 takes, against Node's `crypto.verify` alone (the
//     physical limit on this machine);
// (2) a warp across 500+ GRANDPA set changes: `sublight dev --chain polkadot-dev.json --history 1000
//     --history-block-time 0` (an epoch and a set change every two blocks) in its own process; smoldot and
//     sublight, each in its own process, addChain → `initialized`, rounds interleaved (the devnet keeps
//     growing: each row says how many fragments sublight verified); and sublight's longest event-loop stall
//     from the peer's handshake to `initialized` (smoldot's work is inside its own worker: not comparable).
import { createPublicKey, verify } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ed25519 } from '@noble/curves/ed25519.js'
import { ed25519Verify } from '../src/crypto/index.ts'
import { decodeJustification, precommitMessage } from '../src/finality/index.ts'
import { DevProcess, freePort } from '../test/support/dev-process.ts'
import { fixturePath, readFixture } from '../test/support/fixtures.ts'
import { waitFor } from '../test/support/wait.ts'

const row = (name: string, value: string) => console.log(name.padEnd(86), value)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

// (1) signatures of a real Polkadot justification
const j = decodeJustification(readFixture('recorded', 'grandpa', 'polkadot_4635975_justification.bin'))
const SET_ID = 450n
const items = j.precommits.map((p) => ({ sig: p.signature, msg: precommitMessage(p.targetHash, p.targetNumber, j.round, SET_ID), key: p.authorityId }))
const der = (k: Uint8Array) => createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), k]), format: 'der', type: 'spki' })
const nativeKeys = items.map((i) => der(i.key))
const timePerSig = (f: () => void, rounds = 20) => {
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t = performance.now()
    f()
    times.push((performance.now() - t) / items.length)
  }
  return median(times)
}
const ours = timePerSig(() => items.forEach((i) => ed25519Verify(i.sig, i.msg, i.key) || (() => { throw new Error('invalid') })()))
const native = timePerSig(() => items.forEach((i, k) => verify(null, i.msg, nativeKeys[k], i.sig) || (() => { throw new Error('invalid') })()))
const pureJs = timePerSig(() => items.forEach((i) => ed25519.verify(i.sig, i.msg, i.key, { zip215: true }) || (() => { throw new Error('invalid') })()), 3)
row(`Polkadot #4,635,975 justification, ${items.length} precommits: sublight ed25519Verify | native crypto.verify (keys parsed)`, `${(ours * 1000).toFixed(1)} µs | ${(native * 1000).toFixed(1)} µs per signature | ratio ${(ours / native).toFixed(2)}`)
row(`same, the pure-JS path (@noble/curves, a browser without WebCrypto Ed25519) | native`, `${(pureJs * 1000).toFixed(0)} µs | ${(native * 1000).toFixed(1)} µs per signature | ratio ${(pureJs / native).toFixed(1)}`)

// (2) a warp across 500+ set changes, smoldot and sublight in their own processes
const dir = mkdtempSync(join(tmpdir(), 'sublight-warp-bench-'))
const json = JSON.parse(readFileSync(fixturePath('chain-specs', 'polkadot-dev.json'), 'utf8'))
delete json.lightSyncState
json.bootNodes = []
const specFile = join(dir, 'polkadot-dev.json')
writeFileSync(specFile, JSON.stringify(json))
const dev = new DevProcess(['--chain', specFile, '--alice', '--tmp', '--history', '1000', '--history-block-time', '0', '--no-rpc', '--listen', `/ip4/127.0.0.1/tcp/${await freePort()}/ws`])
const addr = await dev.start()
try {
  await waitFor(() => (dev.status?.finalized ?? 0) >= 1010, 300_000, () => `the devnet finalizing #1010 (${JSON.stringify(dev.status)})`)
  const run = async (args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 180_000, maxBuffer: 64 << 20 })
    return JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
  }
  const smoldotScript = new URL('./light-client-run.mjs', import.meta.url).pathname
  const oursScript = new URL('./sublight-warp.ts', import.meta.url).pathname
  const theirs: number[] = []
  const mine: { initMs: number; warpStallMs: number; startStallMs: number; fragments: number }[] = []
  for (let i = 0; i < 3; i++) {
    mine.push(await run(['--import', 'tsx', oursScript, specFile, addr]))
    theirs.push((await run([smoldotScript, 'smoldot', specFile, addr, '0x00', '0'])).initMs)
  }
  const fragments = mine.map((m) => m.fragments)
  row(`warp across ${Math.min(...fragments)}-${Math.max(...fragments)} set changes, addChain → initialized, median of 3: sublight | smoldot`, `${median(mine.map((m) => m.initMs)).toFixed(0)} ms | ${median(theirs).toFixed(0)} ms | ratio ${(median(mine.map((m) => m.initMs)) / median(theirs)).toFixed(2)}`)
  row('sublight: longest event-loop stall during the warp (handshake → initialized), worst of 3', `${Math.max(...mine.map((m) => m.warpStallMs)).toFixed(0)} ms (before the handshake — genesis, libp2p start: ${Math.max(...mine.map((m) => m.startStallMs)).toFixed(0)} ms)`)
} finally {
  await dev.kill()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
