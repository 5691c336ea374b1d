// The light client behind a MessagePort (what `startFromWorker` and `sublight/worker`'s `run` do in a
// browser), here over a Node MessageChannel in one thread: the page-side `Client` follows a `sublight
// dev` devnet with the node's own answers, and keeps smoldot's API contract across the port — errors
// by class (AddChainError, JsonRpcDisabledError, QueueFullError, AlreadyDestroyedError), the iterator
// ending at `remove()`, logs relayed to the page's callback, and `terminate()` ending `run`'s promise.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MessageChannel } from 'node:worker_threads'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, start, type PortLike } from '../../src/light-client/index.ts'
import { run } from '../../src/worker.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('a light client across a MessagePort keeps smoldot\'s API and follows the devnet', { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const dev = await DevNode.start({ spec: parseChainSpec(specText), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
  const { port1, port2 } = new MessageChannel()
  // Node's MessagePort is an EventTarget with `data` on its events, as a browser's
  const shutdown = run(port2 as unknown as PortLike)
  const logs: string[] = []
  const client = start({ portToWorker: port1 as unknown as PortLike, maxLogLevel: 4, logCallback: (level, target, message) => void logs.push(`${level} ${target} ${message}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')

    await assert.rejects(client.addChain({ chainSpec: '{"name":' }), (e: Error) => e instanceof AddChainError && /Failed to decode chain specification/.test(e.message))
    await assert.rejects(client.addChain({ chainSpec: 42 as unknown as string }), (e: Error) => !(e instanceof AddChainError) && e.message === 'Chain specification must be a string')
    await assert.rejects(client.addChain({ chainSpec: specText, jsonRpcMaxPendingRequests: 0 }), AddChainError)

    const chain = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const { rpc: call, event } = session(chain)
    assert.equal((await call('chainSpec_v1_genesisHash', [])).result, toHex(dev.chain.genesisHash))
    const sub = (await call('chainHead_v1_follow', [true])).result as string
    const init = await event((e) => e.event === 'initialized', 'initialized')
    const fin = dev.chain.block(Uint8Array.from(Buffer.from(init.finalizedBlockHashes[0].slice(2), 'hex')))!
    assert.ok(fin, 'initialized at one of the node\'s blocks')
    const alice = storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey])
    const st = (await call('chainHead_v1_storage', [sub, toHex(fin.hash), [{ key: toHex(alice), type: 'value' }], null])).result
    const items = await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems', 'storage items')
    assert.equal(items.items[0].value, toHex(fin.state!.get(alice)!))
    const id = parseChainSpec(specText).id
    assert.ok(logs.some((l) => l.split(' ')[1] === id), `the worker's logs reach the page's callback with their chain (${JSON.stringify(logs.slice(0, 3))})`)

    // queue limit counted on the page, released as the worker settles requests
    const limited = await client.addChain({ chainSpec: specText, jsonRpcMaxPendingRequests: 1 })
    limited.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_name', params: [] }))
    assert.throws(() => limited.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'system_name', params: [] })), QueueFullError)
    assert.equal(JSON.parse(await limited.nextJsonRpcResponse()).result, 'sublight')
    let sent = false
    const trySend = () => {
      try {
        limited.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'system_name', params: [] }))
        sent = true
      } catch (e) {
        assert.ok(e instanceof QueueFullError)
      }
      return sent
    }
    await waitFor(() => sent || trySend(), 5_000, 'the pending count released')
    assert.equal(JSON.parse(await limited.nextJsonRpcResponse()).id, 3)
    const pending = limited.nextJsonRpcResponse()
    limited.remove()
    await assert.rejects(pending, AlreadyDestroyedError)
    assert.deepEqual(await limited.jsonRpcResponses.next(), { done: true, value: undefined })
    assert.throws(() => limited.remove(), AlreadyDestroyedError)

    const silent = await client.addChain({ chainSpec: specText, disableJsonRpc: true })
    assert.throws(() => silent.sendJsonRpc('{}'), JsonRpcDisabledError)
    await assert.rejects(silent.nextJsonRpcResponse(), JsonRpcDisabledError)

    await client.terminate()
    await shutdown
    await assert.rejects(client.terminate(), AlreadyDestroyedError)
    await assert.rejects(client.addChain({ chainSpec: specText }), AlreadyDestroyedError)
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
