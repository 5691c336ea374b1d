// `sublight node` as a user runs it: prints one `listening on <multiaddr>/p2p/<peerId>` line per
// address (the peer id fixed by --node-key), serves, and stops cleanly on Ctrl-C.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('node: listening lines, fixed peer id from --node-key, clean shutdown on SIGINT', { ...needsFixtures, timeout: 60_000 }, async () => {
  const key = '0x' + '01'.repeat(32)
  const p = spawn(process.execPath, [bin, 'node', '--chain', fixturePath('chain-specs', 'node-template.json'), '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--node-key', key])
  let out = ''
  let err = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (err += d))
  for (let i = 0; i < 200 && out.split('\n').filter((l) => l.startsWith('listening on')).length < 2; i++) await new Promise((r) => setTimeout(r, 100))
  const lines = out.trim().split('\n')
  assert.equal(lines.length, 2, out + err)
  // Ed25519 seed 0x01…01 gives this peer id (the same as smoldot reports for it)
  for (const l of lines) assert.match(l, /^listening on \/ip4\/127\.0\.0\.1\/tcp\/\d+(\/ws)?\/p2p\/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5$/)
  p.kill('SIGINT')
  const code = await new Promise((r) => p.on('exit', r))
  assert.equal(code, 0)
  assert.match(err, /stopped/)
})

test('node: bad arguments are one line and exit code 1', async () => {
  const p = spawn(process.execPath, [bin, 'node', '--node-key', '0x12'])
  let err = ''
  p.stderr.on('data', (d) => (err += d))
  // assert after the exit, not inside its callback (a failing assert there would hang, not fail)
  const code = await new Promise((r) => p.on('exit', r))
  assert.equal(code, 1)
  assert.match(err.trim(), /^sublight: --node-key must be 32 bytes of hex$/)
})
