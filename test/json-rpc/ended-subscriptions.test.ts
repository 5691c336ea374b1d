// Subscriptions the server ends are freed (#25): a `transactionWatch_v1_submitAndWatch` whose transaction
// got its last event (here `invalid`, or `error` for one the runtime cannot decode) no longer counts
// against the connection's subscription limit — before, a long-lived app eventually got "Too many
// subscriptions" for good. On the node and on the light client, with a limit of 2 and 5 submissions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { authorRpc } from '../../src/full-node/rpc-author.ts'
import { Connection, Registry } from '../../src/json-rpc/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { lightClientRpc } from '../../src/light-client/rpc.ts'
import { TransactionsService } from '../../src/light-client/transactions-service.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

/** Submits `n` undecodable transactions one after the other on `registry` (limit: 2 subscriptions); the events each got. */
async function submitMany(registry: Registry, n: number): Promise<{ answers: any[]; lastEvents: string[] }> {
  const notes: any[] = []
  const conn = new Connection(registry, (t) => void notes.push(JSON.parse(t)), { maxSubscriptions: 2 })
  const answers: any[] = []
  const lastEvents: string[] = []
  for (let i = 0; i < n; i++) {
    const r = JSON.parse((await conn.handle(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'transactionWatch_v1_submitAndWatch', params: ['0x0102'] })))!)
    answers.push(r)
    if (r.error) continue
    await waitFor(() => notes.some((m) => m.params?.subscription === r.result), 30_000, `an event for submission ${i}`)
    lastEvents.push(notes.filter((m) => m.params?.subscription === r.result).at(-1).params.result.event)
  }
  conn.close()
  return { answers, lastEvents }
}

test('transactionWatch subscriptions ended by their last event are freed, on the node and on the light client', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  let svc: ChainService | undefined
  try {
    const node = await submitMany(authorRpc(new Registry(), dev), 5)
    assert.deepEqual(node.answers.map((a) => a.error?.message ?? 'ok'), ['ok', 'ok', 'ok', 'ok', 'ok'], 'the node: never "too many subscriptions"')
    assert.deepEqual(node.lastEvents, ['invalid', 'invalid', 'invalid', 'invalid', 'invalid'])

    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing')
    svc = await ChainService.start({ spec, transports: nodeTransports, bootNodes: [dev.host.addresses()[0]], log: () => {} })
    await svc.ready
    const light = await submitMany(lightClientRpc(svc, spec, new TransactionsService(svc)), 5)
    assert.deepEqual(light.answers.map((a) => a.error?.message ?? 'ok'), ['ok', 'ok', 'ok', 'ok', 'ok'], 'the light client: never "too many subscriptions"')
    assert.deepEqual(light.lastEvents, ['error', 'error', 'error', 'error', 'error'])
  } finally {
    await svc?.stop()
    await dev.stop()
  }
})
