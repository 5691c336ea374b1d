// The WebAssembly module behind sr25519 verification (wasm/edwards25519.ts, compiled by AssemblyScript):
// the committed bytes are what the source compiles to (a stale module is a change nobody reviewed), and
// the module stays under 4 KiB: the most Chrome long compiled synchronously on a page's main thread (the
// Chromium 156 of the browser test compiles 8 KB; older browsers are why the margin stays). What it
// computes is judged in sr25519.test.ts against @scure/sr25519 and @noble/curves.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { EDWARDS25519_WASM } from '../../src/crypto/edwards25519-wasm.ts'

test('edwards25519 wasm: the committed module is what its source compiles to, and under 4 KiB', () => {
  const bytes = Buffer.from(EDWARDS25519_WASM, 'base64')
  assert.ok(WebAssembly.validate(bytes), 'a valid module')
  assert.ok(bytes.length < 4096, `${bytes.length} bytes`)
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr + r.stdout)
})
