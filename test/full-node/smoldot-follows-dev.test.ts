// Judged by smoldot: with our `sublight dev` node as its only boot node — node-template (Aura, //Alice
// and //Bob), and polkadot-dev (BABE, //Alice; the spec's checkpoint removed, it is another chain
// instance's) — smoldot initializes on genesis or one of our finalized blocks, reads System.Number
// there and calls the runtime there through our proofs (`BabeApi_current_epoch` on polkadot-dev, equal
// to our node's own `state_call`), then reports newBlock / bestBlockChanged / finalized events for the
// blocks our node authors — with our hashes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex } from '../../src/codec/index.ts'
import { storagePrefix } from '../../src/crypto/index.ts'
import { genesisHeader, parseChainSpec } from '../../src/chain-spec/index.ts'
import { headerHash } from '../../src/header/index.ts'

const genesisHashOf = (specFile: string) => toHex(headerHash(genesisHeader(parseChainSpec(readFileSync(specFile, 'utf8')))))
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const follow = new URL('../support/smoldot-follow.mjs', import.meta.url).pathname

/** Runs `sublight dev` on `specFile` with `keys`, smoldot beside it, and checks what smoldot reported; `more` runs before the node stops. */
async function smoldotFollows(specFile: string, keys: string[], method?: string, more?: (r: any, rpcPort: number) => Promise<void>) {
  const dev = spawn(process.execPath, [bin, 'dev', '--chain', specFile, '--tmp', ...keys, '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'])
  let out = ''
  dev.stdout.on('data', (d) => (out += d))
  const blocks = () => new Map(out.split('\n').filter((l) => l.startsWith('#')).map((l) => [l.split(' ')[1], Number(l.split(' ')[0].slice(1))]))
  try {
    for (let i = 0; i < 300 && blocks().size < 2; i++) await new Promise((r) => setTimeout(r, 100))
    assert.ok(blocks().size >= 2, out)
    assert.match(out, /^#2 0x[0-9a-f]{64} finalized #1 /m, 'the node finalizes its own blocks, one behind the best')
    const addr = out.split('\n').find((l) => l.startsWith('listening on '))!.slice('listening on '.length)
    const { stdout } = await promisify(execFile)(process.execPath, [follow, specFile, addr, toHex(storagePrefix('System', 'Number')), '14000', ...(method ? [method] : [])], { timeout: 100_000, maxBuffer: 64 << 20 })
    const r = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    assert.equal(r.error, undefined, r.error)
    const ours = blocks()
    // on a chain this young smoldot does not warp: it starts from genesis and finalizes by our commits
    // (our node, like Substrate's, keeps justifications only for set changes and every 512th block)
    const initNumber = r.initializedAt === genesisHashOf(specFile) ? 0 : ours.get(r.initializedAt)
    assert.ok(initNumber !== undefined, `initialized at genesis or one of our finalized blocks (${r.initializedAt})`)
    // System.Number at that block is its number (little-endian u32; nothing stored at genesis), read through our proofs
    if (initNumber === 0) assert.deepEqual(r.storage.items, [])
    else assert.equal(r.storage.items[0].value, toHex(Uint8Array.from([initNumber, 0, 0, 0])))
    assert.equal(r.call.event, 'operationCallDone')
    const kinds = (k: string) => r.events.filter((e: { event: string }) => e.event === k)
    assert.ok(kinds('newBlock').length >= 1, 'newBlock events')
    assert.ok(kinds('bestBlockChanged').length >= 1, 'bestBlockChanged events')
    assert.ok(kinds('finalized').length >= 1, 'finalized events')
    for (const e of kinds('newBlock')) assert.ok(ours.has(e.blockHash), `newBlock ${e.blockHash} is one of our blocks`)
    for (const e of kinds('finalized')) for (const h of e.finalizedBlockHashes) assert.ok(ours.has(h), `finalized ${h} is one of our blocks`)
    await more?.(r, Number(/rpc on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]))
  } finally {
    dev.kill('SIGINT')
  }
}

test('smoldot follows a sublight devnet: initialized at genesis or our finality, new, best and finalized blocks', { ...needsFixtures, timeout: 120_000 }, async () => {
  await smoldotFollows(fixturePath('chain-specs', 'node-template.json'), ['--alice', '--bob'])
})

test('smoldot follows a sublight BABE devnet (polkadot-dev) and calls BabeApi_current_epoch on our proofs', { ...needsFixtures, timeout: 150_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-babe-'))
  try {
    const json = JSON.parse(readFileSync(fixturePath('chain-specs', 'polkadot-dev.json'), 'utf8'))
    delete json.lightSyncState
    const specFile = join(dir, 'polkadot-dev.json')
    writeFileSync(specFile, JSON.stringify(json))
    await smoldotFollows(specFile, ['--alice'], 'BabeApi_current_epoch', async (r, rpcPort) => {
      // the node's own answer at the same block
      const res = await fetch(`http://127.0.0.1:${rpcPort}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'state_call', params: ['BabeApi_current_epoch', '0x', r.initializedAt] }) })
      const ours = ((await res.json()) as { result: string }).result
      assert.ok(ours.length > 2)
      assert.equal(r.call.output, ours, "smoldot's BabeApi_current_epoch on our proofs is our node's")
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
