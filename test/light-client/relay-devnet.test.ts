// Our light client on the relay devnet while it changes epochs and GRANDPA sets every two blocks (history
// authored as fast as the node can): it warps from genesis across every set change (the spec's
// checkpoint removed), initializes at one of the node's finalized blocks, then follows finality past
// many more set changes — blocks announced while it fetches the epochs of its new finalized block are
// set aside, not judged against the epochs from before the warp (that wrongly banned the honest node).
// smoldot 3.4.1 cannot take this pace (it bans a peer whose response carries two set changes ahead of it;
// see smoldot-relay-devnet.test.ts for it at a slower pace).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, fromHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { storageKey } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('the light client warps across the relay devnet set changes and follows them at two blocks per set', { ...needsFixtures, timeout: 240_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  const specText = JSON.stringify(json)
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null, history: { epochs: 1000, intervalMs: 0 }, rotateSessionKeys: true })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (_l, t, m) => logs.push(`${t} ${m}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 30, 120_000, 'the devnet finalizing #30')
    const setIdAt = (hash: string) => new Reader(dev.chain.block(fromHex(hash))!.state!.get(storageKey('Grandpa', 'CurrentSetId'))!).u64()
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc, event, events } = session(chain)
    await rpc('chainHead_v1_follow', [true])
    const init = await event((e) => e.event === 'initialized', 'initialized')
    const initHash = init.finalizedBlockHashes.at(-1) as string
    assert.ok(dev.chain.block(fromHex(initHash)), `initialized at one of the node's blocks (${initHash})`)
    const initSet = setIdAt(initHash)
    assert.ok(initSet >= 10n, `warped across ${initSet} set changes`)
    const finalizedHashes = () => events.filter((e) => e.event === 'finalized').flatMap((e) => e.finalizedBlockHashes as string[])
    await waitFor(() => finalizedHashes().some((h) => setIdAt(h) >= initSet + 5n), 90_000, () => `finality across five more set changes:\n${logs.slice(-15).join('\n')}`)
    for (const h of finalizedHashes()) assert.ok(dev.chain.block(fromHex(h)), `finalized ${h} is the node's`)
    assert.ok(!logs.some((l) => /banning/.test(l)), logs.filter((l) => /banning/.test(l)).join('\n'))
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
