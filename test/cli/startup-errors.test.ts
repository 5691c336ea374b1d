// Start-up failures of `sublight dev` / `sublight node` are one clear line and exit 1: a JSON-RPC port
// or a P2P port already taken, a listen address that is not a multiaddr, a collator's `--relay` that is
// not a WebSocket URL, not for a parachain, or not reachable. No stack trace, and the
// temporary database is removed (TMPDIR points at a fresh folder that must be empty afterwards).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { freePort } from '../support/dev-process.ts'
import { parachainDevSpec } from '../../src/chain-spec/parachain-dev.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

async function takenPort(): Promise<[Server, number]> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  return [s, (s.address() as { port: number }).port]
}

test('a taken port or a bad listen address: one line, exit 1, nothing left behind', { ...needsFixtures, timeout: 120_000 }, async () => {
  const [server, port] = await takenPort()
  try {
    const spec = fixturePath('chain-specs', 'node-template.json')
    const cases: [string[], RegExp][] = [
      [['dev', '--chain', spec, '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', String(port)], new RegExp(`^sublight: JSON-RPC address 127\\.0\\.0\\.1:${port} is already in use\\n$`)],
      [['dev', '--chain', spec, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--no-rpc'], new RegExp(`^sublight: listen address /ip4/127\\.0\\.0\\.1/tcp/${port} is already in use\\n$`)],
      [['node', '--chain', spec, '--listen', `/ip4/127.0.0.1/tcp/${port}`], new RegExp(`^sublight: listen address /ip4/127\\.0\\.0\\.1/tcp/${port} is already in use\\n$`)],
      [['dev', '--chain', spec, '--listen', 'garbage', '--no-rpc'], /^sublight: 'garbage' is not a multiaddr: .*\n$/],
      [['node', '--chain', spec, '--listen', 'garbage'], /^sublight: 'garbage' is not a multiaddr: .*\n$/],
    ]
    for (const [args, expected] of cases) {
      const tmp = mkdtempSync(join(tmpdir(), 'sublight-cli-test-'))
      try {
        const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } })
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, expected, args.join(' '))
        assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('sublight')), [], `${args.join(' ')}: temporary database removed`)
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    }
  } finally {
    server.close()
  }
})

test('dev --relay: a URL that is not ws://, a chain that is not a parachain, a relay that cannot be reached: one line, exit 1', { ...needsFixtures, timeout: 60_000 }, async () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'dev', ...args], { encoding: 'utf8', timeout: 30_000 })
  const http = run('--relay', 'http://127.0.0.1:9944')
  assert.equal(http.status, 1)
  assert.equal(http.stderr, "sublight: --relay: http://127.0.0.1:9944 is not a WebSocket URL (ws://host:port) of the relay node's JSON-RPC\n")
  const notPara = run('--relay', 'ws://127.0.0.1:9944')
  assert.equal(notPara.status, 1)
  assert.equal(notPara.stderr, 'sublight: --relay: the built-in chain is not a parachain spec (no para_id)\n')
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'relay-errors-'))
  try {
    const paraFile = join(dir, 'para.json')
    writeFileSync(paraFile, JSON.stringify(parachainDevSpec(JSON.parse(readFixtureText('chain-specs', 'polkadot_coretime.json')), 'dev')))
    const unreachable = run('--chain', paraFile, '--tmp', '--alice', '--no-rpc', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--relay', `ws://127.0.0.1:${port}`)
    assert.equal(unreachable.status, 1)
    assert.match(unreachable.stderr, new RegExp(`^sublight: cannot reach the relay node at ws://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
