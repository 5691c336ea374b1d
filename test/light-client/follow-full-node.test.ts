// Acceptance (#23 item 4): a light client whose only peer is a `sublight node` — a syncing full node, what
// most peers of a live network are — not the author. The node syncs from the author and announces the
// blocks it imports and passes GRANDPA commits on, as Substrate's full nodes do; the light client warps
// through it and then follows: for SUBLIGHT_FOLLOW_MS (default 5 minutes) its finalized block stays
// within 2 blocks of the node's, and nobody is banned. (Before, the node announced nothing and forwarded
// no commit: the client stopped at the block after its warp.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { DevProcess } from '../support/dev-process.ts'

const FOLLOW_MS = Number(process.env.SUBLIGHT_FOLLOW_MS ?? 300_000)

test('a light client whose only peer is a syncing sublight node follows it, finality within 2 blocks', { ...needsFixtures, timeout: FOLLOW_MS + 180_000 }, async (t) => {
  const spec = fixturePath('chain-specs', 'node-template.json')
  const author = new DevProcess(['--chain', spec, '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-rpc'])
  const authorAddr = await author.start()
  const full = new DevProcess(['--chain', spec, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootnodes', authorAddr], 'node')
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (l, _t, m) => logs.push(`${l} ${m}`) })
  try {
    const fullAddr = await full.start()
    await waitFor(() => (full.status?.finalized ?? 0) >= 2, 90_000, () => `the full node syncing and finalizing\n${full.err.slice(-800)}`)
    const chain = await addChainWith(client, readFixtureText('chain-specs', 'node-template.json'), [fullAddr])
    const { rpc } = session(chain)
    const finalizedNumber = async () => Number((await rpc('chain_getHeader', [(await rpc('chain_getFinalizedHead', [])).result])).result?.number ?? -1)
    await waitFor(async () => (await finalizedNumber()) >= 1, 60_000, () => `the client's first finalized block\n${logs.slice(-20).join('\n')}`)
    const startAt = await finalizedNumber()
    const until = Date.now() + FOLLOW_MS
    let worst = 0
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 3_000))
      const ours = await finalizedNumber()
      const theirs = full.status?.finalized ?? 0
      worst = Math.max(worst, theirs - ours)
      assert.ok(theirs - ours <= 2, `finalized #${ours}, the node's #${theirs}: more than 2 blocks behind\n${logs.slice(-20).join('\n')}`)
    }
    const end = await finalizedNumber()
    t.diagnostic(`followed ${FOLLOW_MS / 1000} s through the full node: finalized #${startAt} → #${end}, at worst ${worst} blocks behind the node`)
    assert.ok(end - startAt >= Math.floor(FOLLOW_MS / 6_000) - 3, `finality kept advancing (#${startAt} → #${end})`)
    assert.deepEqual(logs.filter((l) => /bann/.test(l)), [], 'nobody banned')
  } finally {
    await client.terminate().catch(() => {})
    await full.kill()
    await author.kill()
  }
})
