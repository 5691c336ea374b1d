// Chopsticks itself, for tests and benchmarks: two temporary projects with @acala-network/chopsticks
// 1.5.1 installed from the registry (or npm's cache; no install scripts — its SQLite is not needed
// without --db), one as published and one switched to sublight's executor with the npm `overrides`
// entry a user writes (tarballs from `npm run pack:chopsticks-executor`); a `sublight dev` node to fork;
// Chopsticks processes forking it; a JSON-RPC client for them.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import WebSocket from 'ws'
import { fixturePath } from './fixtures.ts'
import { waitFor } from './wait.ts'

const exec = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
export const CHOPSTICKS_VERSION = '1.5.1'

export interface Started {
  child: ChildProcess
  match: RegExpExecArray
  out: () => string
}

/** Starts `node args…` and waits for `ready` in its output (90 s). */
export async function started(args: string[], cwd: string, ready: RegExp, what: string, children: ChildProcess[]): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await waitFor(() => ready.test(out), 90_000, () => `${what}: ${out.slice(-2000)}`)
  return { child, match: ready.exec(out)!, out: () => out }
}

export interface RpcClient {
  call(method: string, params?: unknown[]): Promise<unknown>
  close(): void
}

/** A JSON-RPC client over WebSocket (what Chopsticks serves). */
export async function rpcClient(url: string): Promise<RpcClient> {
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
export async function wholeState(c: RpcClient): Promise<[string, string][]> {
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

async function project(work: string, name: string, overrides?: Record<string, string>): Promise<string> {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies: { '@acala-network/chopsticks': CHOPSTICKS_VERSION }, ...(overrides ? { overrides } : {}) }))
  await exec(npm, ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 300_000 })
  return dir
}

/** Packs sublight and the shim into `work/packs`, then installs Chopsticks twice: as published, and switched to ours. */
export async function chopsticksProjects(work: string): Promise<{ original: string; ours: string }> {
  const { stdout } = await exec(npm, ['run', '--silent', 'pack:chopsticks-executor', '--', join(work, 'packs')], { cwd: root, timeout: 300_000 })
  const [sublight, shim] = stdout.trim().split('\n')
  const original = await project(work, 'original')
  const ours = await project(work, 'ours', { '@acala-network/chopsticks-executor': `file:${shim}`, sublight: `file:${sublight}` })
  return { original, ours }
}

/**
 * `sublight dev` on a fixture chain, and the hash of its block #2: a block that carries a timestamp (on
 * genesis Chopsticks would take the wall clock, and two forks would differ).
 */
export async function devToFork(chain: string, children: ChildProcess[]): Promise<{ dev: Started; url: string; base: string }> {
  const dev = await started([join(root, 'bin/sublight.js'), 'dev', '--chain', fixturePath('chain-specs', `${chain}.json`), '--tmp', '--alice', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'], root, /rpc on (ws:\/\/127\.0\.0\.1:\d+)/, `sublight dev ${chain}`, children)
  const node = await rpcClient(dev.match[1])
  try {
    await waitFor(async () => ((await node.call('chain_getBlockHash', [2])) as string | null) !== null, 90_000, () => `block #2 of ${chain}`)
    return { dev, url: dev.match[1], base: (await node.call('chain_getBlockHash', [2])) as string }
  } finally {
    node.close()
  }
}

/** Chopsticks from `dir`, forking `base` of `endpoint`, blocks built on demand (`dev_newBlock`). */
export async function chopsticksFork(dir: string, endpoint: string, base: string, what: string, children: ChildProcess[]): Promise<Started & { rpc: RpcClient }> {
  const p = await started([join(dir, 'node_modules/@acala-network/chopsticks/chopsticks.cjs'), '--endpoint', endpoint, '--port', '0', '--build-block-mode', 'Manual', '--block', base], dir, /RPC listening on http:\/\/\[::\]:(\d+)/, what, children)
  return { ...p, rpc: await rpcClient(`ws://127.0.0.1:${p.match[1]}`) }
}
