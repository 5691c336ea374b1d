// Acceptance (#23 item 4, found by fuzzing and load): through `sublight light` whose only peer is a
// `sublight dev` node — a `state_call` whose function name is 1 MiB, 50 apps asking `state_getMetadata` at
// once, and a 1.2 MiB `author_submitExtrinsic` — each gets its answer or a JSON-RPC error, the client never
// sends a request over the protocol's 1 MiB limit nor more substreams than the node takes, so the node
// bans nobody, and the client stays connected and following.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('sublight light under load: a 1 MiB function name, 50 concurrent state_getMetadata, a 1.2 MiB extrinsic; nobody banned, still following', { ...needsFixtures, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-load-'))
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const specFile = join(dir, 'spec.json')
  writeFileSync(specFile, specText)
  const nodeLog: string[] = []
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null, log: (l) => nodeLog.push(l) })
  const light = spawn(process.execPath, [bin, 'light', '--chain', specFile, '--bootnodes', dev.host.addresses()[0], '--rpc-port', '0'])
  const io = { out: '', err: '', code: undefined as number | null | undefined }
  light.stdout.on('data', (d) => (io.out += d))
  light.stderr.on('data', (d) => (io.err += d))
  light.on('exit', (c) => (io.code = c))
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    await waitFor(() => /JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.test(io.out), 30_000, () => `the endpoint line\n${io.err}`)
    const port = Number(/JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.exec(io.out)![1])
    await waitFor(() => io.out.includes('following'), 60_000, () => `the client following\n${io.out}`)
    let id = 0
    const rpc = async (method: string, params: unknown[]) => {
      const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) })
      return res.json() as Promise<{ result?: any; error?: { code: number; message: string } }>
    }
    const clientId = (await rpc('system_localPeerId', [])).result as string
    const finalizedNumber = async () => Number((await rpc('chain_getHeader', [(await rpc('chain_getFinalizedHead', [])).result])).result.number)

    // 1. a 1 MiB runtime function name: refused locally with an error, never sent
    const longName = 'A'.repeat(1024 * 1024)
    const call = await rpc('state_call', [longName, '0x'])
    assert.ok(call.error, `an error for the 1 MiB function name (${JSON.stringify(call).slice(0, 200)})`)
    assert.match(call.error.message, /exceeds the protocol's 1048576-byte limit/)

    // 2. 50 apps asking for the metadata at once: every one answered, the same bytes
    const started = performance.now()
    const metas = await Promise.all(Array.from({ length: 50 }, () => rpc('state_getMetadata', [])))
    t.diagnostic(`50 concurrent state_getMetadata answered in ${Math.round(performance.now() - started)} ms`)
    for (const m of metas) assert.equal(m.error, undefined, JSON.stringify(m.error))
    assert.equal(new Set(metas.map((m) => m.result)).size, 1, 'the same metadata for all')
    assert.ok((metas[0].result as string).length > 1000)

    // 3. a 1.2 MiB extrinsic: a JSON-RPC error (its validation cannot be asked over light/2), not a ban
    const body = new Uint8Array(1_228_800).fill(1)
    const ext = new Uint8Array([0x02, 0x00, 0x4b, 0x00, ...body]) // compact length 1,228,800 (four-byte mode), then the bytes
    const submitted = await rpc('author_submitExtrinsic', [toHex(ext)])
    assert.ok(submitted.error, `an error for the 1.2 MiB extrinsic (${JSON.stringify(submitted).slice(0, 200)})`)

    // nobody banned on either side; still connected and following
    assert.equal(dev.host.isBanned(clientId), false, `the node did not ban the client\n${nodeLog.filter((l) => /bann/.test(l)).join('\n')}`)
    assert.doesNotMatch(io.err, /bann/)
    assert.equal((await rpc('system_health', [])).result.peers, 1)
    const before = await finalizedNumber()
    await waitFor(async () => (await finalizedNumber()) > before, 30_000, 'finality advancing after the load')
  } finally {
    light.kill('SIGINT')
    await waitFor(() => io.code !== undefined, 10_000, 'exit').catch(() => light.kill('SIGKILL'))
    await dev.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
