// #12, acceptance 5: @polkadot/api on the relay devnet (polkadot-dev, history authored in the past with
// an epoch and a GRANDPA set change every session) reads `babe.epochIndex`, `session.currentIndex` and
// `grandpa.currentSetId` advancing block after block, decoded by its own metadata, and a transfer it
// signs (Bob to Charlie: Alice's nonce is the node's, for the session key rotations) reaches finality;
// Charlie's balance at the finalized block grew by the amount.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { transferToFinality } from '../support/polkadot-js.ts'
import { waitFor } from '../support/wait.ts'

test('@polkadot/api reads epochs, sessions and GRANDPA sets advancing on the relay devnet, and a transfer is finalized', { ...needsFixtures, timeout: 240_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  const spec = parseChainSpec(JSON.stringify(json))
  const logs: string[] = []
  const dev = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: 0, history: { epochs: 1000, intervalMs: 400 }, rotateSessionKeys: true, log: (l) => logs.push(l) })
  let api: ApiPromise | undefined
  try {
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${dev.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    assert.equal(api.runtimeVersion.specName.toString(), 'polkadot')
    const read = async () => {
      const at = await api!.at(await api!.rpc.chain.getFinalizedHead())
      const [epoch, session, setId] = await Promise.all([at.query.babe.epochIndex(), at.query.session.currentIndex(), at.query.grandpa.currentSetId()])
      return { epoch: BigInt(epoch.toString()), session: BigInt(session.toString()), setId: BigInt(setId.toString()) }
    }
    await waitFor(() => dev.chain.finalized().number >= 6, 90_000, 'the devnet finalizing #6')
    const before = await read()

    const keyring = new Keyring({ type: 'sr25519' })
    const bob = keyring.addFromUri('//Bob')
    const charlie = keyring.addFromUri('//Charlie').address
    const amount = 1_000_000_000_000n
    type Account = { data: { free: { toString(): string } } }
    const free = async (hash?: string) => BigInt(((await (hash ? await api!.at(hash) : api!).query.system.account(charlie)) as unknown as Account).data.free.toString())
    const start = await free()
    const { statuses, finalizedIn } = await transferToFinality(api, bob, charlie, amount, 120_000).catch((e) => {
      throw new Error(`${(e as Error).message}; node at #${dev.chain.best().number}, finalized #${dev.chain.finalized().number}, ${dev.pool.pending} pooled:\n${logs.slice(-20).join('\n')}`)
    })
    assert.ok(statuses.includes('InBlock'), statuses.join(','))
    assert.equal((await free(finalizedIn)) - start, amount, "Charlie's balance at the finalized block")

    const fin = dev.chain.finalized().number
    await waitFor(() => dev.chain.finalized().number >= fin + 6, 90_000, 'three more epochs finalized')
    const after = await read()
    assert.ok(after.epoch >= before.epoch + 2n, `babe.epochIndex ${before.epoch} → ${after.epoch}`)
    assert.ok(after.session >= before.session + 2n, `session.currentIndex ${before.session} → ${after.session}`)
    assert.ok(after.setId >= before.setId + 2n, `grandpa.currentSetId ${before.setId} → ${after.setId}`)
    // the session and the epoch move together (Babe ends sessions), and every session from the third on changed the set
    assert.equal(after.session - before.session, after.epoch - before.epoch)
    assert.equal(after.session - before.session, after.setId - before.setId)
  } finally {
    await api?.disconnect()
    await dev.stop()
  }
})
