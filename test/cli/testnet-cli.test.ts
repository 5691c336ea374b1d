// `sublight chain-spec validators` and `sublight testnet`, as a user runs them. The derived spec differs
// from node-template's only in the Aura and GRANDPA authorities, which are the n validators' keys
// (derived here independently: sr25519 / ed25519 public keys of //Alice, //Bob, …). Derived from
// polkadot-dev (BABE, staking), the runtime itself answers with the 4 validators (BABE and GRANDPA
// authorities, the parachain validators), only items of the pallets that hold validators change, and
// the historical-session root formula reproduces the real genesis root for Alice alone. `sublight testnet --nodes 2` prints one `node <i> rpc … p2p …` line per
// node and `finalized #n …` lines as the two validators finalize by votes; Ctrl-C stops every node (exit
// 0, their ports free); killed with SIGKILL, its nodes stop by themselves (no orphan, no bound port).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createConnection } from 'node:net'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Reader, concatBytes, fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, storageKey, storagePrefix, twox128 } from '../../src/crypto/index.ts'
import { genesisStorage, parseChainSpec } from '../../src/chain-spec/index.ts'
import { historicalRoot } from '../../src/chain-spec/validators.ts'
import { runtimeAt } from '../../src/full-node/index.ts'
import { freePort } from '../support/dev-process.ts'
import { waitFor } from '../support/wait.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const builtIn = new URL('../../chains/dev.json', import.meta.url).pathname

/** Whether something listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

test('chain-spec validators: only the Aura and GRANDPA authorities change, to the n dev validators; a BABE chain takes up to 6', needsFixtures, () => {
  const r = spawnSync(process.execPath, [bin, 'chain-spec', 'validators', builtIn, '--count', '5'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const before = JSON.parse(readFileSync(builtIn, 'utf8'))
  const after = JSON.parse(r.stdout)
  const aura = toHex(storagePrefix('Aura', 'Authorities'))
  const grandpa = toHex(utf8(':grandpa_authorities'))
  const names = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve']
  const changed = Object.keys(before.genesis.raw.top).filter((k) => before.genesis.raw.top[k] !== after.genesis.raw.top[k])
  assert.deepEqual(changed.sort(), [aura, grandpa].sort())
  assert.deepEqual({ ...before, genesis: null }, { ...after, genesis: null }, 'nothing outside the genesis storage changes')
  const auraKeys = new Reader(fromHex(after.genesis.raw.top[aura])).vec((x) => toHex(x.bytes_(32)))
  assert.deepEqual(auraKeys, names.map((n) => toHex(sr25519FromSuri(n).publicKey)))
  const g = new Reader(fromHex(after.genesis.raw.top[grandpa]))
  assert.equal(g.u8(), 1, 'versioned authority list, version 1')
  assert.deepEqual(g.vec((x) => [toHex(x.bytes_(32)), x.u64()]), names.map((n) => [toHex(ed25519FromSuri(n).publicKey), 1n]))
  const babe = spawnSync(process.execPath, [bin, 'chain-spec', 'validators', fixturePath('chain-specs', 'polkadot-dev.json'), '--count', '7'], { encoding: 'utf8' })
  assert.equal(babe.status, 1, 'a BABE chain takes up to the 6 endowed dev accounts')
  assert.match(babe.stderr, /up to 6 validators/)
})

test('chain-spec validators on polkadot-dev (BABE, staking): the runtime sees the 4 validators; only validator-holding pallets change', { ...needsFixtures, timeout: 60_000 }, () => {
  const file = fixturePath('chain-specs', 'polkadot-dev.json')
  const r = spawnSync(process.execPath, [bin, 'chain-spec', 'validators', file, '--count', '4'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  assert.equal(r.status, 0, r.stderr)
  const before = JSON.parse(readFileSync(file, 'utf8'))
  const after = JSON.parse(r.stdout)
  assert.equal(after.lightSyncState, undefined, 'the original checkpoint is not this chain’s')
  const names = ['//Alice', '//Bob', '//Charlie', '//Dave']
  const spec = parseChainSpec(r.stdout)
  const state = genesisStorage(spec.genesis as Extract<typeof spec.genesis, { kind: 'raw' }>)
  const rt = runtimeAt(state)
  const call = (m: string) => new Reader(rt.call(m, new Uint8Array(), { storage: state }).output)
  // BabeConfiguration: slot duration, epoch length, c (two u64), then the authorities
  const babe = call('BabeApi_configuration')
  for (let i = 0; i < 4; i++) babe.u64()
  assert.deepEqual(babe.vec((x) => [toHex(x.bytes_(32)), x.u64()]), names.map((n) => [toHex(sr25519FromSuri(n).publicKey), 1n]))
  assert.deepEqual(call('GrandpaApi_grandpa_authorities').vec((x) => [toHex(x.bytes_(32)), x.u64()]), names.map((n) => [toHex(ed25519FromSuri(n).publicKey), 1n]))
  assert.deepEqual(call('ParachainHost_validators').vec((x) => toHex(x.bytes_(32))), names.map((n) => toHex(sr25519FromSuri(n).publicKey)))
  // what changed: only storage of the pallets that hold validators (and the GRANDPA well-known key)
  const pallets = ['Babe', 'Session', 'Staking', 'VoterList', 'Balances', 'System', 'AuthorityDiscovery', 'ImOnline', 'ParasShared', 'ParaSessionInfo', 'Historical']
  const prefixes = pallets.map((p) => toHex(twox128(utf8(p))))
  const top0 = before.genesis.raw.top
  const top1 = after.genesis.raw.top
  const changed = [...new Set([...Object.keys(top0), ...Object.keys(top1)])].filter((k) => top0[k] !== top1[k])
  const outside = changed.filter((k) => k !== toHex(utf8(':grandpa_authorities')) && !prefixes.some((p) => k.startsWith(p)))
  assert.deepEqual(outside, [], 'nothing outside the validator-holding pallets changes')
  const balances = changed.filter((k) => k.startsWith(toHex(twox128(utf8('Balances')))))
  assert.ok(balances.every((k) => !k.startsWith(toHex(storagePrefix('Balances', 'TotalIssuance')))), 'the total issuance is untouched')
  // pallet-session's historical root, as computed here, for the real genesis's one validator
  const exposure = fromHex(top0[toHex(storageKey('Staking', 'ErasStakers', ['Twox64Concat', Uint8Array.of(0, 0, 0, 0)], ['Twox64Concat', sr25519FromSuri('//Alice//stash').publicKey]))])
  const sr = sr25519FromSuri('//Alice').publicKey
  const root = historicalRoot([{ stash: sr25519FromSuri('//Alice//stash').publicKey, keys: concatBytes(ed25519FromSuri('//Alice').publicKey, sr, sr, sr, sr, sr) }], exposure)
  const stored = Object.entries(top0).find(([k]) => k.startsWith(toHex(storagePrefix('Historical', 'HistoricalSessions'))))![1] as string
  assert.equal(toHex(root), stored.slice(0, 66))
})

test('sublight testnet --nodes 2: node lines, finality lines, Ctrl-C stops every node; SIGKILL leaves no node and no file behind', { timeout: 120_000 }, async () => {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    const [rpc, p2p] = [await freePort(), await freePort()]
    // its own temporary directory (and its nodes'): nothing of ours left once everything stopped
    const tmp = mkdtempSync(join(tmpdir(), 'testnet-cli-'))
    const proc = spawn(process.execPath, [bin, 'testnet', '--nodes', '2', '--rpc-port', String(rpc), '--port', String(p2p)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } })
    let out = ''
    let err = ''
    proc.stdout.on('data', (d) => (out += d))
    proc.stderr.on('data', (d) => (err += d))
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    try {
      await waitFor(() => /^node 1 rpc/m.test(out), 60_000, () => `the node lines\n${out}\n${err.slice(-3000)}`)
      const lines = out.split('\n').filter((l) => l.startsWith('node '))
      assert.match(lines[0], new RegExp(`^node 0 rpc ws://127\\.0\\.0\\.1:${rpc} p2p /ip4/127\\.0\\.0\\.1/tcp/${p2p}/ws/p2p/\\w+$`))
      assert.match(lines[1], new RegExp(`^node 1 rpc ws://127\\.0\\.0\\.1:${rpc + 1} p2p /ip4/127\\.0\\.0\\.1/tcp/${p2p + 1}/ws/p2p/\\w+$`))
      if (signal === 'SIGINT') {
        await waitFor(() => /^finalized #[1-9]\d* 0x[0-9a-f]{64} best #\d+ forks \d+ reorgs \d+$/m.test(out), 60_000, () => `a finality line\n${out}\n${err.slice(-3000)}`)
      }
      assert.ok(await listening(rpc + 1))
      proc.kill(signal)
      const code = await exited
      if (signal === 'SIGINT') assert.equal(code, 0, err.slice(-2000))
      await waitFor(async () => !(await listening(rpc)) && !(await listening(rpc + 1)) && !(await listening(p2p)) && !(await listening(p2p + 1)), 15_000, `every node gone after ${signal}`)
      // (tsx, which runs the sources, keeps its cache there too)
      const ours = () => readdirSync(tmp).filter((f) => !f.startsWith('tsx-'))
      await waitFor(() => ours().length === 0, 15_000, () => `no file left after ${signal}: ${ours().join(', ')}`)
    } finally {
      proc.kill('SIGKILL')
      rmSync(tmp, { recursive: true, force: true })
    }
  }
})

test('testnet --history: its options are checked before any node starts', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'testnet', '--nodes', '2', ...args], { encoding: 'utf8' })
  const alone = run('--history-block-time', '500')
  assert.equal(alone.status, 1)
  assert.match(alone.stderr, /--history-block-time goes with --history/)
  const bad = run('--history', 'many')
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /--history: many is not a number of epochs/)
  const dev = spawnSync(process.execPath, [bin, 'dev', '--history-start', '1'], { encoding: 'utf8' })
  assert.equal(dev.status, 1)
  assert.match(dev.stderr, /--history-start goes with --history/)
})
