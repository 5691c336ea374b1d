// Acceptance (#23, churn): the light client's only peer, a `sublight dev` node, is killed with SIGKILL and
// restarted on its database at the same address and peer id, five times in a row. Each time the client's
// best and finalized blocks advance again within 15 s of the restart, without any help from the test (no
// `discover()`): the peer set dials the node again and redoes the block-announce handshake. A chainHead
// follow keeps reporting (or ends with `stop`, and a new follow works), and nobody is banned.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { DevProcess, freePort } from '../support/dev-process.ts'

const RESTARTS = 5
const RECOVERY_MS = 15_000

test('churn: the only peer killed -9 and restarted five times; best and finality advance again within 15 s each time, nobody banned', { ...needsFixtures, timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-churn-'))
  const port = await freePort()
  const node = new DevProcess(['--chain', fixturePath('chain-specs', 'node-template.json'), '--base-path', dir, '--alice', '--bob', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--no-rpc'])
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (l, _t, m) => logs.push(`${l} ${m}`) })
  try {
    const addr = await node.start()
    await waitFor(() => (node.status?.finalized ?? 0) >= 1, 60_000, () => `the devnet finalizing a block\n${node.err}`)
    const chain = await addChainWith(client, readFixtureText('chain-specs', 'node-template.json'), [addr])
    const { rpc, event, events } = session(chain)
    const heads = async () => {
      const best = (await rpc('chain_getHeader', [])).result
      const finHash = (await rpc('chain_getFinalizedHead', [])).result
      const fin = (await rpc('chain_getHeader', [finHash])).result
      return { best: Number(best?.number ?? -1), finalized: Number(fin?.number ?? -1) }
    }
    let follow = (await rpc('chainHead_v1_follow', [false])).result as string
    await event((e) => e.event === 'initialized', 'initialized')
    let follows = 1
    await waitFor(async () => (await heads()).finalized >= 1, 60_000, 'the client finalizing a block')

    for (let round = 1; round <= RESTARTS; round++) {
      const before = await heads()
      await node.kill('SIGKILL')
      // the client notices the loss (its substream closes) before the node comes back
      await waitFor(async () => (await rpc('system_health', [])).result.peers === 0, 20_000, `round ${round}: the client seeing its peer gone`)
      assert.equal((await rpc('system_health', [])).result.isSyncing, true, 'no peer: syncing, not up to date')
      const restarted = Date.now()
      const again = await node.start()
      assert.equal(again, addr, `round ${round}: same address and peer id after the restart`)
      assert.match(node.out, /^resuming at #\d+/m, `round ${round}: the node resumed from its database`)
      await waitFor(
        async () => {
          const h = await heads()
          return h.best > before.best && h.finalized > before.finalized
        },
        RECOVERY_MS,
        async () => `round ${round}: best and finalized advancing within ${RECOVERY_MS} ms of the restart (before: ${JSON.stringify(before)}, now: ${JSON.stringify(await heads())}, node: ${JSON.stringify(node.status)})\n${logs.slice(-30).join('\n')}`,
      )
      const took = Date.now() - restarted
      logs.push(`round ${round}: following again ${took} ms after the restart`)
      // the follow: still reporting, or ended by `stop` (the client could not report continuously): a new one works
      const stopped = events.some((e) => e.event === 'stop' && !e.seen)
      if (stopped) {
        await event((e) => e.event === 'stop', 'stop')
        follow = (await rpc('chainHead_v1_follow', [false])).result
        follows++
        await event((e) => e.event === 'initialized', 'initialized of the new follow')
      }
      await event((e) => e.event === 'newBlock' || e.event === 'finalized', `round ${round}: the follow reporting after the restart`)
    }
    assert.ok(typeof follow === 'string' && follows <= RESTARTS + 1)
    const banned = logs.filter((l) => /banning|banned/.test(l))
    assert.deepEqual(banned, [], 'nobody banned')
    assert.equal((await rpc('system_health', [])).result.peers, 1)
    assert.match(node.err + node.out, /./)
    console.log(logs.filter((l) => /following again/.test(l)).join('\n'))
  } finally {
    await client.terminate().catch(() => {})
    await node.kill()
    rmSync(dir, { recursive: true, force: true })
  }
})
