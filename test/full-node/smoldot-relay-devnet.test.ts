// #12, acceptance 1, judged by smoldot 3.4.1: `sublight dev --chain polkadot-dev --history` makes a
// relay devnet with an epoch change and a GRANDPA set change every session. First its history is
// authored as fast as possible into a database; then the node restarts on that database at a pace a
// light client can follow (a block every 3 s: an epoch and a set change every ~6 s). smoldot, with the
// node as its only boot node and the spec's genesis as its only trust, warp-syncs across every set
// change to our latest finalized block (its `initialized` names it), reads System.Number and calls
// BabeApi_current_epoch there through our proofs (equal to the node's own answers), then follows
// newBlock / bestBlockChanged / finalized past at least one more epoch change and set change.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Reader, fromHex, toHex } from '../../src/codec/index.ts'
import { storageKey, storagePrefix } from '../../src/crypto/index.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const follow = new URL('../support/smoldot-follow.mjs', import.meta.url).pathname

function devnet(args: string[]): { proc: ChildProcessWithoutNullStreams; out: () => string; err: () => string; line: (re: RegExp, ms: number) => Promise<RegExpExecArray> } {
  const proc = spawn(process.execPath, [bin, 'dev', ...args])
  let out = ''
  let err = ''
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (err += d))
  const line = async (re: RegExp, ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      const m = re.exec(out)
      if (m) return m
      if (proc.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`no ${re} from sublight dev (exit ${proc.exitCode}):\n${out.slice(-2000)}\n${err.slice(-2000)}`)
  }
  return { proc, out: () => out, err: () => err, line }
}

const stopped = (p: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null) return resolve()
    p.once('exit', () => resolve())
    p.kill('SIGINT')
  })

test('smoldot warp-syncs across the relay devnet set changes and follows further epoch and set changes', { ...needsFixtures, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-relay-'))
  let node: ReturnType<typeof devnet> | undefined
  try {
    const json = JSON.parse(readFileSync(fixturePath('chain-specs', 'polkadot-dev.json'), 'utf8'))
    delete json.lightSyncState // another chain instance's checkpoint: smoldot starts from genesis
    const specFile = join(dir, 'polkadot-dev.json')
    writeFileSync(specFile, JSON.stringify(json))
    const common = ['--chain', specFile, '--base-path', join(dir, 'db'), '--alice', '--history', '1000', '--listen', '/ip4/127.0.0.1/tcp/0']

    // the history, fast: past #70 (more than 30 set changes)
    node = devnet([...common, '--history-block-time', '0', '--no-rpc'])
    await node.line(/^#70 /m, 150_000)
    await stopped(node.proc)

    // the same chain, paced for a light client
    node = devnet([...common, '--history-block-time', '3000', '--rpc-port', '0'])
    const resumed = Number((await node.line(/^resuming at #\d+ 0x[0-9a-f]{64} finalized #(\d+)/m, 30_000))[1])
    const addr = (await node.line(/^listening on (\S+)/m, 30_000))[1]
    const rpcPort = Number((await node.line(/^rpc on ws:\/\/127\.0\.0\.1:(\d+)/m, 30_000))[1])
    const rpc = async (method: string, params: unknown[]) => {
      const res = await fetch(`http://127.0.0.1:${rpcPort}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) }).catch((e) => {
        throw new Error(`${method}: ${e} (node exit ${node!.proc.exitCode}):\n${node!.out().slice(-1500)}\n${node!.err().slice(-3000)}`)
      })
      const body = (await res.json()) as { result: any; error?: unknown }
      assert.equal(body.error, undefined, `${method}: ${JSON.stringify(body.error)}`)
      return body.result
    }
    const u64At = async (key: Uint8Array, hash: string) => new Reader(fromHex(await rpc('state_getStorage', [toHex(key), hash]))).u64()
    const setIdAt = (hash: string) => u64At(storageKey('Grandpa', 'CurrentSetId'), hash)
    const epochAt = (hash: string) => u64At(storageKey('Babe', 'EpochIndex'), hash)

    const { stdout } = await promisify(execFile)(process.execPath, [follow, specFile, addr, toHex(storagePrefix('System', 'Number')), '20000', 'BabeApi_current_epoch'], { timeout: 150_000, maxBuffer: 64 << 20 })
    const r = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    assert.equal(r.error, undefined, r.error)

    // initialized at our latest finalized block when it connected, after ≥ 5 set changes
    const init = await rpc('chain_getHeader', [r.initializedAt])
    assert.ok(init, `initialized at one of our blocks (${r.initializedAt})`)
    const initNumber = Number(init.number)
    assert.ok(initNumber >= resumed, `initialized at #${initNumber}, at or above the finalized block the node resumed at (#${resumed})`)
    const initSet = await setIdAt(r.initializedAt)
    assert.ok(initSet >= 5n, `warped across ${initSet} set changes`)
    assert.equal(r.storage.items[0].value, toHex(new Uint8Array([initNumber & 0xff, initNumber >> 8, 0, 0])), 'System.Number through our proofs')
    assert.equal(r.call.event, 'operationCallDone')
    assert.equal(r.call.output, await rpc('state_call', ['BabeApi_current_epoch', '0x', r.initializedAt]), "smoldot's BabeApi_current_epoch is the node's")

    // then followed our blocks past more epoch and set changes
    const kinds = (k: string) => r.events.filter((e: { event: string }) => e.event === k)
    for (const e of kinds('newBlock')) assert.ok(await rpc('chain_getHeader', [e.blockHash]), `newBlock ${e.blockHash} is ours`)
    assert.ok(kinds('bestBlockChanged').length >= 1, 'bestBlockChanged events')
    const lastFinalized = kinds('finalized').at(-1)?.finalizedBlockHashes.at(-1)
    assert.ok(lastFinalized, 'finalized events')
    assert.ok((await setIdAt(lastFinalized)) > initSet, 'finalized past a further GRANDPA set change')
    assert.ok((await epochAt(lastFinalized)) > (await epochAt(r.initializedAt)), 'finalized past a further epoch change')
  } finally {
    if (node) await stopped(node.proc)
    rmSync(dir, { recursive: true, force: true })
  }
})
