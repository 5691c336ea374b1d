// Acceptance (#23 item 5): `sublight light` refuses what would destroy a file or silently do nothing —
// `--database` naming a file that is not a sublight database of this chain (random bytes, the chain spec
// itself) or a directory, `--bootnodes` that is not a peer's multiaddr — with one line and exit 1, the
// file unchanged (checksum before and after). Offline (its boot node a closed port) it says `connecting`
// and `system_health` says 0 peers, isSyncing true.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { freePort } from '../support/dev-process.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

function light(args: string[]) {
  const p = spawn(process.execPath, [bin, 'light', ...args])
  const io = { out: '', err: '', code: undefined as number | null | undefined }
  p.stdout.on('data', (d) => (io.out += d))
  p.stderr.on('data', (d) => (io.err += d))
  p.on('exit', (c) => (io.code = c))
  return { p, io }
}
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

test('--database naming a non-database file or a directory, and --bootnodes garbage: one line, exit 1, the file unchanged', { ...needsFixtures, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-refusals-'))
  try {
    const specFile = join(dir, 'spec.json')
    writeFileSync(specFile, readFixtureText('chain-specs', 'node-template.json'))
    const random = join(dir, 'random.bin')
    writeFileSync(random, randomBytes(4096))
    const sub = join(dir, 'a-directory')
    mkdirSync(sub)
    const cases: [string, string[], RegExp, string?][] = [
      ['random bytes', ['--database', random], /--database .*random\.bin: not a sublight database/, random],
      ['the chain spec itself', ['--database', specFile], /--database .*spec\.json: not a sublight database/, specFile],
      ['a directory', ['--database', sub], /--database .*a-directory: not a file/],
      ['garbage boot node', ['--bootnodes', 'garbage'], /--bootnodes: 'garbage' is not a multiaddr/],
      ['boot node without a peer id', ['--bootnodes', '/ip4/127.0.0.1/tcp/30333'], /--bootnodes: .* names no peer/],
    ]
    for (const [what, extra, message, file] of cases) {
      const before = file && sha(file)
      const { io } = light(['--chain', specFile, '--rpc-port', '0', ...extra])
      await waitFor(() => io.code !== undefined, 30_000, `${what}: exit`)
      assert.equal(io.code, 1, `${what}: exit 1 (${io.err})`)
      assert.equal(io.err.trim().split('\n').length, 1, `${what}: one line (${io.err})`)
      assert.match(io.err, message, what)
      assert.doesNotMatch(io.out, /JSON-RPC on/, `${what}: nothing started`)
      if (file) assert.equal(sha(file), before, `${what}: the file is unchanged`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('offline: the endpoint says connecting; system_health: 0 peers, isSyncing true', { ...needsFixtures, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-offline-'))
  const spec = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  // a boot node nobody listens on
  spec.bootNodes = [`/ip4/127.0.0.1/tcp/${await freePort()}/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp`]
  const specFile = join(dir, 'spec.json')
  writeFileSync(specFile, JSON.stringify(spec))
  const { p, io } = light(['--chain', specFile, '--rpc-port', '0'])
  try {
    await waitFor(() => /JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.test(io.out), 30_000, () => `the endpoint line\n${io.err}`)
    const port = Number(/JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.exec(io.out)![1])
    await waitFor(() => /^connecting · peers 0/m.test(io.out), 10_000, () => `the connecting line\n${io.out}`)
    // past the 5 s after which a client with no peer starts from what its spec proves: still connecting
    await new Promise((r) => setTimeout(r, 6_000))
    assert.doesNotMatch(io.out, /^following/m, `never 'following' without a peer\n${io.out}`)
    const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }) })
    const health = (await res.json()).result
    assert.equal(health.peers, 0)
    assert.equal(health.isSyncing, true)
  } finally {
    p.kill('SIGINT')
    await waitFor(() => io.code !== undefined, 10_000, 'exit').catch(() => p.kill('SIGKILL'))
    rmSync(dir, { recursive: true, force: true })
  }
})
