// Acceptance (#23, churn through the endpoint): `sublight light` with @polkadot/api subscribed to new and
// finalized heads throughout; its only peer, a `sublight dev` node, is killed with SIGKILL and stays down
// for 2 minutes (the endpoint says `connecting`, `system_health` says 0 peers and isSyncing), then comes
// back on its database at the same address and peer id: the subscriptions deliver new heads again within
// 15 s. Then two quick kill -9 / restart rounds, the same. Nobody banned, the endpoint never restarted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { waitFor } from '../support/wait.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'
import { DevProcess, freePort } from '../support/dev-process.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const OUTAGE_MS = Number(process.env.SUBLIGHT_OUTAGE_MS ?? 120_000)
const RECOVERY_MS = 15_000

test('sublight light with @polkadot/api subscribed: its only peer down for 2 minutes, then restarted twice; heads flow again within 15 s each time', { ...needsFixtures, timeout: OUTAGE_MS + 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-light-churn-'))
  const spec = fixturePath('chain-specs', 'node-template.json')
  const node = new DevProcess(['--chain', spec, '--base-path', dir, '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${await freePort()}`, '--no-rpc'])
  const addr = await node.start()
  const light = spawn(process.execPath, [bin, 'light', '--chain', spec, '--bootnodes', addr, '--rpc-port', '0', '--log', '3'])
  const io = { out: '', err: '', code: undefined as number | null | undefined }
  light.stdout.on('data', (d) => (io.out += d))
  light.stderr.on('data', (d) => (io.err += d))
  light.on('exit', (c) => (io.code = c))
  let api: ApiPromise | undefined
  try {
    await waitFor(() => /JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.test(io.out), 30_000, () => `the endpoint line\n${io.err}`)
    const port = Number(/JSON-RPC on ws:\/\/127\.0\.0\.1:(\d+)/.exec(io.out)![1])
    await waitFor(() => io.out.includes('following'), 60_000, () => `the client following\n${io.out}`)
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${port}`), noInitWarn: true, throwOnConnect: true })
    const heads: { number: number; at: number }[] = []
    const finalized: { number: number; at: number }[] = []
    await api.rpc.chain.subscribeNewHeads((h) => void heads.push({ number: h.number.toNumber(), at: Date.now() }))
    await api.rpc.chain.subscribeFinalizedHeads((h) => void finalized.push({ number: h.number.toNumber(), at: Date.now() }))
    await waitFor(() => finalized.length >= 1 && heads.length >= 1, 60_000, 'heads before the outage')

    for (const [round, downMs] of [[1, OUTAGE_MS], [2, 1_000], [3, 1_000]] as const) {
      await node.kill('SIGKILL')
      const killed = Date.now()
      await waitFor(async () => (await api!.rpc.system.health()).peers.toNumber() === 0, 20_000, `round ${round}: the endpoint seeing its peer gone`)
      const health: { isSyncing: { isTrue: boolean } } = await api.rpc.system.health()
      assert.equal(health.isSyncing.isTrue, true, 'no peer: isSyncing')
      await waitFor(() => /^connecting/m.test(io.out.slice(io.out.lastIndexOf('following'))), 10_000, () => `round ${round}: the endpoint saying connecting\n${io.out.slice(-400)}`)
      await new Promise((r) => setTimeout(r, Math.max(0, downMs - (Date.now() - killed))))
      const lastHead = heads.at(-1)?.number ?? 0
      const lastFinal = finalized.at(-1)?.number ?? 0
      const restarted = Date.now()
      assert.equal(await node.start(), addr, 'same address and peer id')
      await waitFor(() => (heads.at(-1)?.number ?? 0) > lastHead && (finalized.at(-1)?.number ?? 0) > lastFinal, RECOVERY_MS, () => `round ${round}: new and finalized heads within ${RECOVERY_MS} ms of the restart (last head #${lastHead}, finalized #${lastFinal}; node ${JSON.stringify(node.status)})\n${io.out.slice(-600)}\n${io.err.slice(-1500)}`)
      t.diagnostic(`round ${round} (down ${Math.round((restarted - killed) / 1000)} s): heads again ${Date.now() - restarted} ms after the restart`)
      assert.equal((await api.rpc.system.health()).isSyncing.isTrue, false, 'caught up: not syncing')
    }
    assert.equal(io.code, undefined, 'the endpoint never exited')
    assert.doesNotMatch(io.err, /bann/, 'nobody banned')
  } finally {
    await api?.disconnect().catch(() => {})
    if (io.code === undefined) {
      light.kill('SIGINT')
      await waitFor(() => io.code !== undefined, 10_000, 'the endpoint stopping').catch(() => light.kill('SIGKILL'))
    }
    await node.kill()
    rmSync(dir, { recursive: true, force: true })
  }
})
