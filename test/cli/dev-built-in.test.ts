// #14: `sublight dev` with no options runs the built-in development chain shipped in the package
// (`chains/dev.json`, node-template's runtime and genesis — byte for byte the real node-template spec)
// and holds every well-known dev key the chain names, so it authors Alice's slots and Bob's (two Aura
// authorities: even and odd slots, consecutive slots in consecutive blocks) and finalizes alone. A slot
// may still pass unauthored on a loaded machine (the first block, runtime compiled, can outlast its
// slot: a clean-clone run had slots 442, 444, 445), so the test asks for both authors, not for no gap.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fromHex } from '../../src/codec/index.ts'
import { BUILT_IN_CHAIN } from '../../src/cli/dev.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('the built-in development chain is node-template\'s spec', { ...needsFixtures }, () => {
  assert.deepEqual(JSON.parse(readFileSync(BUILT_IN_CHAIN, 'utf8')), JSON.parse(readFixtureText('chain-specs', 'node-template.json')))
})

test('`sublight dev` with no chain and no key authors Alice’s and Bob’s slots and finalizes', { timeout: 90_000 }, async () => {
  const p = spawn(process.execPath, [bin, 'dev', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--rpc-port', '0'])
  let out = ''
  let err = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (err += d))
  try {
    const lines = () => out.split('\n').filter((l) => l.startsWith('#'))
    await waitFor(() => lines().some((l) => / finalized #([2-9]|\d\d)/.test(l)), 60_000, () => `finalized #2 (stdout: ${out} stderr: ${err.slice(-500)})`)
    const port = /rpc on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]
    const rpc = async (method: string, params: unknown[]) => {
      const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
      return ((await res.json()) as { result: any }).result
    }
    const slots: bigint[] = []
    for (let n = 1; n <= 3; n++) {
      const header = await rpc('chain_getHeader', [await rpc('chain_getBlockHash', [n])])
      // PreRuntime (6) 'aura' with an 8-byte slot (compact length 8 = 0x20)
      const log = header.digest.logs.map((l: string) => fromHex(l)).find((b: Uint8Array) => b[0] === 6 && new TextDecoder().decode(b.subarray(1, 5)) === 'aura')
      assert.ok(log && log[5] === 0x20, `block #${n} has an Aura pre-digest`)
      slots.push(new DataView(log.buffer, log.byteOffset + 6, 8).getBigUint64(0, true))
    }
    // one key alone would author every other slot only: one parity, gaps of 2
    assert.deepEqual(new Set(slots.map((s) => s % 2n)), new Set([0n, 1n]), `slots of both authorities: ${slots.join(', ')}`)
    assert.ok(slots[1] - slots[0] === 1n || slots[2] - slots[1] === 1n, `consecutive slots in consecutive blocks: ${slots.join(', ')}`)
    assert.match(out, /listening on \/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//)
  } finally {
    p.kill('SIGINT')
    await new Promise((r) => p.once('exit', r))
  }
})
