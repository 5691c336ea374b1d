// Acceptance (#14, `sublight light`): @polkadot/api pointed at the light endpoint (the only peer being a
// `sublight dev` node) reads the runtime version, metadata and Alice's balance, follows new and finalized
// heads, and a transferKeepAlive Alice → Bob goes Ready → Finalized with Bob's balance grown by the amount
// and the Transfer event at the inclusion block. Then: a second start with --database initializes from
// the saved block and sooner; an unknown chain name and a taken port are one clear line and exit 1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { transferToFinality } from '../support/polkadot-js.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

function light(args: string[]) {
  const p = spawn(process.execPath, [bin, 'light', ...args])
  const io = { out: '', err: '', code: undefined as number | null | undefined, started: performance.now(), startLineAt: 0 }
  p.stdout.on('data', (d) => {
    io.out += d
    if (!io.startLineAt && io.out.includes('starting at #')) io.startLineAt = performance.now()
  })
  p.stderr.on('data', (d) => (io.err += d))
  p.on('exit', (c) => (io.code = c))
  return { p, io }
}
const stop = async (p: ChildProcessWithoutNullStreams, io: { code: number | null | undefined }) => {
  if (io.code !== undefined) return
  p.kill('SIGINT')
  await waitFor(() => io.code !== undefined, 10_000, 'the light endpoint stopping')
}
/** ms from the client's `starting at` line (the light client constructed) to now: process start-up left out. */
const sinceStart = (io: { startLineAt: number }) => performance.now() - io.startLineAt
const portOf = (out: string) => Number(/JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1])
type Account = { data: { free: { toBigInt(): bigint } } }

test('sublight light: @polkadot/api reads, subscribes and transfers through the light endpoint; --database restarts at the saved block', { ...needsFixtures, timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-light-'))
  const specFile = join(dir, 'spec.json')
  const specText = readFixtureText('chain-specs', 'node-template.json')
  writeFileSync(specFile, specText)
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const database = join(dir, 'light.db')
  const args = ['--chain', specFile, '--bootnodes', dev.host.addresses()[0], '--rpc-port', '0', '--database', database]
  let api: ApiPromise | undefined
  let first = light(args)
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    await waitFor(() => portOf(first.io.out) > 0, 30_000, () => `the endpoint line (${first.io.err})`)
    await waitFor(() => first.io.out.includes('following'), 30_000, () => `the client following (${first.io.out})`)
    const firstReadyMs = sinceStart(first.io)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${portOf(first.io.out)}`), noInitWarn: true, throwOnConnect: true })
    assert.equal(api.runtimeVersion.specName.toString(), 'node-template')
    assert.ok(api.tx.balances?.transferKeepAlive, 'metadata decoded')
    const keyring = new Keyring({ type: 'sr25519' })
    const [alice, bob] = [keyring.addFromUri('//Alice'), keyring.addFromUri('//Bob')]
    const bobBefore = ((await api.query.system.account(bob.address)) as unknown as Account).data.free.toBigInt()
    assert.ok(bobBefore > 0n)
    const heads: number[] = []
    const finalized: number[] = []
    const unsubHeads = await api.rpc.chain.subscribeNewHeads((h) => void heads.push(h.number.toNumber()))
    const unsubFin = await api.rpc.chain.subscribeFinalizedHeads((h) => void finalized.push(h.number.toNumber()))
    await waitFor(() => heads.length >= 2 && finalized.length >= 2, 60_000, 'new and finalized heads')
    assert.ok(heads.at(-1)! > heads[0] && finalized.at(-1)! > finalized[0])
    unsubHeads()
    unsubFin()

    const amount = 987_654_321_000n
    const { statuses, finalizedIn } = await transferToFinality(api, alice, bob.address, amount, 90_000)
    assert.equal(statuses[0], 'Ready')
    assert.equal(statuses.at(-1), 'Finalized')
    const atBlock = await api.at(finalizedIn!)
    const bobAfter = ((await atBlock.query.system.account(bob.address)) as unknown as Account).data.free.toBigInt()
    assert.equal(bobAfter - bobBefore, amount)
    const events = (await atBlock.query.system.events()) as unknown as { event: { section: string; method: string; data: { toString(): string }[] } }[]
    const transfer = events.find((e) => e.event.section === 'balances' && e.event.method === 'Transfer')
    assert.ok(transfer, 'the Transfer event at the inclusion block')
    assert.equal(transfer.event.data[2].toString(), amount.toString())
    await api.disconnect()
    api = undefined
    await stop(first.p, first.io)
    assert.equal(first.io.code, 0, first.io.err)

    // second start: from the saved database (its first line names the block), following sooner
    const savedAt = /finalized #(\d+)/g
    const lastFinalized = [...first.io.out.matchAll(savedAt)].at(-1)?.[1]
    const second = light(args)
    first = second
    await waitFor(() => second.io.out.includes('following'), 30_000, () => `the second start following (${second.io.out})`)
    const secondReadyMs = sinceStart(second.io)
    const startLine = /starting at #(\d+)/.exec(second.io.out)
    assert.ok(startLine && Number(startLine[1]) > 0, `started from the saved block, not genesis (${second.io.out})`)
    assert.ok(Number(startLine[1]) >= Number(lastFinalized ?? 0) - 1, 'at the block saved on exit')
    t.diagnostic(`client constructed → following: first start ${Math.round(firstReadyMs)} ms, from the database ${Math.round(secondReadyMs)} ms`)
    assert.ok(secondReadyMs < firstReadyMs, `following sooner (${Math.round(secondReadyMs)} ms vs ${Math.round(firstReadyMs)} ms)`)
  } finally {
    await api?.disconnect().catch(() => {})
    await stop(first.p, first.io).catch(() => first.p.kill('SIGKILL'))
    await dev.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sublight light: an unknown chain name and a taken port are one clear line and exit 1', { ...needsFixtures, timeout: 60_000 }, async () => {
  const unknown = light(['--chain', 'no-such-chain'])
  await waitFor(() => unknown.io.code !== undefined, 30_000, 'exit')
  assert.equal(unknown.io.code, 1)
  assert.match(unknown.io.err, /^sublight: unknown chain 'no-such-chain': not a file, and not one of .*polkadot.*westend2/)
  assert.equal(unknown.io.err.trim().split('\n').length, 1)
  const busy = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => busy.once('listening', r))
  const port = (busy.address() as { port: number }).port
  try {
    const taken = light(['--chain', 'westend', '--rpc-port', String(port)])
    await waitFor(() => taken.io.code !== undefined, 30_000, 'exit')
    assert.equal(taken.io.code, 1)
    assert.match(taken.io.err, new RegExp(`^sublight: .*${port}`))
    assert.equal(taken.io.err.trim().split('\n').length, 1, taken.io.err)
  } finally {
    busy.close()
  }
})

test('sublight light: malformed and oversized JSON-RPC get the spec\'s errors and the endpoint keeps serving', { timeout: 60_000 }, async () => {
  // offline: Westend by name starts (connecting) and serves what needs no peer
  const endpoint = light(['--chain', 'westend', '--rpc-port', '0'])
  try {
    await waitFor(() => portOf(endpoint.io.out) > 0, 30_000, () => `the endpoint line (${endpoint.io.err})`)
    const url = `http://127.0.0.1:${portOf(endpoint.io.out)}`
    const post = async (body: string) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      return { status: r.status, json: (await r.json().catch(() => undefined)) as any }
    }
    assert.equal((await post('{not json')).json.error.code, -32700)
    assert.equal((await post(JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'system_name' }))).json.error.code, -32600)
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'state_getStorage', params: [42] }))).json.error.code, -32602)
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'no_such_method' }))).json.error.code, -32601)
    const big = await fetch(url, { method: 'POST', body: 'x'.repeat(11 * 1024 * 1024) }).catch(() => undefined)
    assert.ok(big === undefined || big.status === 413)
    // still serving, over HTTP and WebSocket
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'chainSpec_v1_genesisHash', params: [] }))).json.result, '0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e')
    const { WebSocket } = await import('ws')
    const ws = new WebSocket(url.replace('http', 'ws'))
    const answers: any[] = []
    ws.on('message', (d) => answers.push(JSON.parse(d.toString())))
    await new Promise((r) => ws.once('open', r))
    ws.send('[}')
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'system_chain', params: [] }))
    await waitFor(() => answers.length >= 2, 10_000, 'two WebSocket answers')
    ws.close()
    assert.equal(answers.find((a) => a.id === null)?.error.code, -32700)
    assert.equal(answers.find((a) => a.id === 5)?.result, 'Westend')
  } finally {
    await stop(endpoint.p, endpoint.io)
  }
})

test('sublight light: a parachain name pairs with its relay chain; a --relay that is not its relay is one clear line', { timeout: 60_000 }, async () => {
  // offline: Polkadot Asset Hub by name starts with Polkadot (its spec's relay_chain) followed beside it
  const endpoint = light(['--chain', 'polkadot-asset-hub', '--rpc-port', '0'])
  try {
    await waitFor(() => portOf(endpoint.io.out) > 0 && endpoint.io.out.includes('starting at #'), 30_000, () => `the endpoint lines (${endpoint.io.err})`)
    assert.match(endpoint.io.out, /^Polkadot Asset Hub \(known chain polkadot-asset-hub\): JSON-RPC on /)
    assert.match(endpoint.io.out, /\nparachain 1000 of Polkadot \(known chain polkadot\), followed through it\n/)
    const res = await fetch(`http://127.0.0.1:${portOf(endpoint.io.out)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainSpec_v1_chainName', params: [] }) })
    assert.equal(((await res.json()) as { result: string }).result, 'Polkadot Asset Hub', 'the endpoint serves the parachain, not its relay')
  } finally {
    await stop(endpoint.p, endpoint.io)
  }
  const wrong = light(['--chain', 'polkadot-asset-hub', '--relay', 'westend'])
  await waitFor(() => wrong.io.code !== undefined, 30_000, 'exit')
  assert.equal(wrong.io.code, 1)
  assert.equal(wrong.io.err, 'sublight: Polkadot Asset Hub is a parachain of polkadot, but known chain westend is westend2\n')
})
