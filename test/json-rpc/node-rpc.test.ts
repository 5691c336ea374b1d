// The node's JSON-RPC over a real WebSocket and HTTP on loopback: standard errors for malformed input,
// batches, size limits, node-template data (metadata equal to the fixture, System.Number at a block),
// and a new-heads subscription delivering blocks as they are authored.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'ws'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storagePrefix } from '../../src/crypto/index.ts'
import { RpcServer } from '../../src/json-rpc/server.ts'
import { DevChain, authorAuraBlock, nodeRpc } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

function wsClient(url: string) {
  const ws = new WebSocket(url)
  const waiting = new Map<number, (m: any) => void>()
  const notes: any[] = []
  let id = 1
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString())
    if (m.method !== undefined && m.id === undefined) notes.push(m)
    else waiting.get(Array.isArray(m) || m.id === null ? -1 : m.id)?.(m)
  })
  const opened = new Promise((r) => ws.once('open', r))
  return {
    opened,
    notes,
    raw: (text: string, key = -1) => new Promise<any>((r) => (waiting.set(key, r), ws.send(text))),
    call: (method: string, params: unknown[] = []) =>
      new Promise<any>((r) => {
        const i = id++
        waiting.set(i, r)
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }))
      }),
    close: () => ws.close(),
  }
}

test('node JSON-RPC: errors, batches, limits, chain data and subscriptions', { ...needsFixtures, timeout: 60_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const alice = sr25519FromSuri('//Alice')
  const server = await RpcServer.start(nodeRpc(chain, { spec, peers: () => 0, localPeerId: () => '12D3KooWtest' }), { port: 0, maxRequestBytes: 64 * 1024 })
  const c = wsClient(`ws://127.0.0.1:${server.port}`)
  try {
    await c.opened
    // malformed input
    assert.equal((await c.raw('{not json', -1)).error.code, -32700)
    assert.equal((await c.call('no_such_method')).error.code, -32601)
    assert.equal((await c.raw(JSON.stringify({ jsonrpc: '1.0', id: 7, method: 'system_name' }), 7)).error.code, -32600)
    assert.equal((await c.call('state_getStorage', [42])).error.code, -32602)
    // batch
    const batch = await c.raw(JSON.stringify([{ jsonrpc: '2.0', id: 100, method: 'system_name' }, { jsonrpc: '2.0', id: 101, method: 'system_chain' }]))
    assert.deepEqual(batch.map((r: any) => r.result), ['sublight', 'Local Testnet'])
    // chain data
    const metadata = (await c.call('state_getMetadata')).result
    assert.equal(metadata, readFixtureText('runtimes', 'node-template-metadata.hex').trim().toLowerCase())
    assert.equal((await c.call('state_getRuntimeVersion')).result.specName, 'node-template')
    const methods = (await c.call('rpc_methods')).result.methods
    assert.ok(methods.includes('chain_subscribeNewHeads') && methods.includes('state_call'))
    // a subscription starts with the current head (as Substrate's does), then sees blocks as they are added
    const sub = (await c.call('chain_subscribeNewHeads')).result
    for (let i = 0; i < 50 && c.notes.length < 1; i++) await new Promise((r) => setTimeout(r, 20))
    let parent = chain.bestBlock
    for (let i = 0; i < 2; i++) {
      const slot = 2_000_000n + BigInt(i * 2)
      const { block, state } = authorAuraBlock({ parent: parent.header, parentState: parent.state, slot, timestampMs: slot * 6000n, author: alice })
      chain.add(block, state)
      parent = chain.bestBlock
    }
    for (let i = 0; i < 50 && c.notes.length < 3; i++) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(c.notes.map((n) => [n.method, n.params.subscription, n.params.result.number]), [['chain_newHead', sub, '0x0'], ['chain_newHead', sub, '0x1'], ['chain_newHead', sub, '0x2']])
    const h1 = (await c.call('chain_getBlockHash', [1])).result
    assert.equal((await c.call('chain_getHeader', [h1])).result.number, '0x1')
    const n1 = (await c.call('state_getStorage', [toHex(storagePrefix('System', 'Number')), h1])).result
    assert.equal(new Reader(Buffer.from(n1.slice(2), 'hex')).u32(), 1)
    assert.equal((await c.call('chain_getBlock', [h1])).result.block.extrinsics.length, 1, 'the timestamp inherent')
    // finalized heads start with the current finalized block too
    const fsub = (await c.call('chain_subscribeFinalizedHeads')).result
    for (let i = 0; i < 50 && !c.notes.some((n) => n.params.subscription === fsub); i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(c.notes.find((n) => n.params.subscription === fsub)?.params.result.number, '0x0')
    // only a subscription's own family can end it
    assert.equal((await c.call('state_unsubscribeStorage', [sub])).result, false, 'another family cannot end chain_subscribeNewHeads')
    assert.equal((await c.call('chainHead_v1_unfollow', [sub])).result, null)
    assert.equal((await c.call('chain_unsubscribeNewHeads', [sub])).result, true, 'still alive: its own family ends it')
    assert.equal((await c.call('chain_unsubscribeNewHeads', [sub])).result, false)
    // what Substrate answers and client libraries rely on
    const unknown = toHex(new Uint8Array(32).fill(9))
    assert.equal((await c.call('chain_getHeader', [unknown])).result, null)
    assert.equal((await c.call('chain_getBlock', [unknown])).result, null)
    assert.deepEqual((await c.call('system_nodeRoles')).result, ['Full'])
    assert.deepEqual((await c.call('system_peers')).result, [])
    assert.deepEqual((await c.call('system_localListenAddresses')).result, [])
    assert.deepEqual((await c.call('system_syncState')).result, { startingBlock: 0, currentBlock: 2, highestBlock: 2 })
    assert.deepEqual((await c.call('chain_getBlockHash', [[0, 2, 9]])).result, [toHex(chain.genesisHash), toHex(chain.bestBlock.hash), null])
    // state_getKeysPaged with a start key below the prefix starts at the prefix
    const accountPrefix = toHex(storagePrefix('System', 'Account'))
    const first = (await c.call('state_getKeysPaged', [accountPrefix, 2])).result
    assert.equal(first.length, 2)
    assert.deepEqual((await c.call('state_getKeysPaged', [accountPrefix, 2, '0x00'])).result, first)
    assert.deepEqual((await c.call('state_getKeysPaged', [accountPrefix, 1, first[0]])).result, [first[1]])
    // HTTP: a request, and an oversized one
    const http = await fetch(`http://127.0.0.1:${server.port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_getBlockHash', params: [0] }) })
    assert.equal((await http.json()).result, toHex(chain.genesisHash))
    // HTTP cannot deliver notifications: a subscription there is an error, not an id
    const httpSub = await fetch(`http://127.0.0.1:${server.port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'chain_subscribeNewHeads', params: [] }) })
    const httpSubBody = await httpSub.json()
    assert.equal(httpSubBody.result, undefined)
    assert.equal(httpSubBody.error.code, -32601)
    const big = await fetch(`http://127.0.0.1:${server.port}`, { method: 'POST', body: 'x'.repeat(100_000) }).catch(() => undefined)
    assert.ok(big === undefined || big.status === 413)
  } finally {
    c.close()
    await server.stop()
  }
})
