// Chopsticks itself on our executor (issue 28, acceptance 2 and 3). `npm run pack:chopsticks-executor`
// makes the two tarballs; two fresh projects install @acala-network/chopsticks 1.5.1 from the registry
// (no install scripts: its SQLite is not needed without --db), one as published, one with the npm
// `overrides` entry a user adds. Both fork the same block of a running `sublight dev` and build the same
// blocks with `dev_newBlock` (node-template: 20 blocks then a signed transfer; polkadot-dev: 5 blocks);
// the block hashes, and the whole state at the head (every key and value, and the trie root over them),
// must be the same with either executor. The wall time of `dev_newBlock` with each is printed.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import WebSocket from 'ws'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { trieRoot } from '../../src/trie/index.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const exec = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
const bin = join(root, 'bin/sublight.js')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const CHOPSTICKS = '1.5.1'

const work = mkdtempSync(join(tmpdir(), 'sublight-chopsticks-'))
const children: ChildProcess[] = []
after(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

/** A project with Chopsticks installed; `overrides` as a user would write them. */
async function project(name: string, overrides?: Record<string, string>): Promise<string> {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies: { '@acala-network/chopsticks': CHOPSTICKS }, ...(overrides ? { overrides } : {}) }))
  await exec(npm, ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 300_000 })
  return dir
}

function started(args: string[], cwd: string, ready: RegExp, what: string): Promise<{ child: ChildProcess; match: RegExpExecArray; out: () => string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return waitFor(() => ready.test(out), 90_000, () => `${what}: ${out.slice(-2000)}`).then(() => ({ child, match: ready.exec(out)!, out: () => out }))
}

/** A JSON-RPC client over WebSocket (what Chopsticks serves). */
async function rpcClient(url: string): Promise<{ call: (method: string, params?: unknown[]) => Promise<unknown>; close: () => void }> {
  const ws = new WebSocket(url)
  await new Promise((res, rej) => {
    ws.once('open', res)
    ws.once('error', rej)
  })
  let id = 0
  const waiting = new Map<number, (m: { result?: unknown; error?: unknown }) => void>()
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { id?: number; result?: unknown; error?: unknown }
    if (m.id !== undefined) waiting.get(m.id)?.(m)
  })
  return {
    call: (method, params = []) =>
      new Promise((res, rej) => {
        const i = ++id
        waiting.set(i, (m) => (m.error ? rej(new Error(`${method}: ${JSON.stringify(m.error)}`)) : res(m.result)))
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }))
      }),
    close: () => ws.close(),
  }
}

/** Every key and value at the head, through the standard state API. */
async function wholeState(c: Awaited<ReturnType<typeof rpcClient>>): Promise<[string, string][]> {
  const keys: string[] = []
  for (;;) {
    const page = (await c.call('state_getKeysPaged', ['0x', 1000, keys.at(-1) ?? null])) as string[]
    keys.push(...page)
    if (page.length < 1000) break
  }
  const out: [string, string][] = []
  for (const k of keys) out.push([k, (await c.call('state_getStorage', [k])) as string])
  return out
}

let packs: { sublight: string; shim: string } | undefined
async function tarballs(): Promise<{ sublight: string; shim: string }> {
  if (!packs) {
    const { stdout } = await exec(npm, ['run', '--silent', 'pack:chopsticks-executor', '--', join(work, 'packs')], { cwd: root, timeout: 300_000 })
    const [sublight, shim] = stdout.trim().split('\n')
    packs = { sublight, shim }
  }
  return packs
}

let projects: Promise<{ original: string; ours: string }> | undefined
function bothProjects(): Promise<{ original: string; ours: string }> {
  projects ??= (async () => {
    const { sublight, shim } = await tarballs()
    const original = await project('original')
    const ours = await project('ours', { '@acala-network/chopsticks-executor': `file:${shim}`, sublight: `file:${sublight}` })
    return { original, ours }
  })()
  return projects
}

async function sameChain(chain: string, blocks: number, withTransfer: boolean): Promise<void> {
  const { original, ours } = await bothProjects()
  const dev = await started([bin, 'dev', '--chain', fixturePath('chain-specs', `${chain}.json`), '--tmp', '--alice', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'], root, /rpc on (ws:\/\/127\.0\.0\.1:\d+)/, `sublight dev ${chain}`)
  const node = await rpcClient(dev.match[1])
  // fork a block that carries a timestamp (forking genesis, Chopsticks would take the wall clock)
  await waitFor(async () => ((await node.call('chain_getBlockHash', [2])) as string | null) !== null, 90_000, () => `block #2 of ${chain}`)
  const base = (await node.call('chain_getBlockHash', [2])) as string
  node.close()
  const launch = async (dir: string, what: string) => {
    const p = await started([join(dir, 'node_modules/@acala-network/chopsticks/chopsticks.cjs'), '--endpoint', dev.match[1], '--port', '0', '--build-block-mode', 'Manual', '--block', base], dir, /RPC listening on http:\/\/\[::\]:(\d+)/, what)
    return { ...p, rpc: await rpcClient(`ws://127.0.0.1:${p.match[1]}`) }
  }
  const theirs = await launch(original, `chopsticks (${chain}, its own executor)`)
  const mine = await launch(ours, `chopsticks (${chain}, sublight's executor)`)
  try {
    const times = { theirs: 0, mine: 0 }
    const hashes = { theirs: [] as string[], mine: [] as string[] }
    const newBlock = async () => {
      for (const [side, c] of [['theirs', theirs.rpc], ['mine', mine.rpc]] as const) {
        const t0 = performance.now()
        hashes[side].push((await c.call('dev_newBlock', [{ count: 1 }])) as string)
        times[side] += performance.now() - t0
      }
    }
    for (let i = 0; i < blocks; i++) await newBlock()
    if (withTransfer) {
      // one signed transfer (sr25519 signatures are randomized: sign once, submit the same bytes to both)
      const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${theirs.match[1]}`), noInitWarn: true })
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
      const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob')
      const tx = (await api.tx.balances.transferKeepAlive(bob.address, 10n ** 12n).signAsync(alice, { era: 0 })).toHex()
      await api.disconnect()
      for (const c of [theirs.rpc, mine.rpc]) await c.call('author_submitExtrinsic', [tx])
      await newBlock()
      const block = (await mine.rpc.call('chain_getBlock', [hashes.mine.at(-1)])) as { block: { extrinsics: string[] } }
      assert.ok(block.block.extrinsics.includes(tx), 'the transfer is in the last block built on our executor')
    }
    console.log(`# ${chain}: dev_newBlock ×${hashes.mine.length}: Chopsticks' own executor ${times.theirs.toFixed(0)} ms, sublight's ${times.mine.toFixed(0)} ms (${(times.mine / times.theirs).toFixed(2)}×)`)
    assert.deepEqual(hashes.mine, hashes.theirs, 'the same block hashes')
    const [stateTheirs, stateMine] = [await wholeState(theirs.rpc), await wholeState(mine.rpc)]
    assert.equal(stateMine.length, stateTheirs.length, 'the same number of keys')
    assert.deepEqual(stateMine, stateTheirs, 'the same state, key by key')
    const rootOf = (s: [string, string][]) => toHex(trieRoot(s.map(([k, v]) => [fromHex(k), fromHex(v)] as const), 0))
    assert.equal(rootOf(stateMine), rootOf(stateTheirs), 'the same state root')
  } finally {
    theirs.rpc.close()
    mine.rpc.close()
    for (const p of [theirs, mine, dev]) p.child.kill('SIGKILL')
  }
}

test('Chopsticks on sublight/chopsticks-executor (npm overrides): 20 node-template blocks and a transfer, the same hashes and state as on its own executor', { ...needsFixtures, timeout: 900_000 }, async () => {
  await sameChain('node-template', 20, true)
})

test('Chopsticks on sublight/chopsticks-executor: 5 polkadot-dev (relay chain) blocks, the same hashes and state as on its own executor', { ...needsFixtures, timeout: 900_000 }, async () => {
  await sameChain('polkadot-dev', 5, false)
})
