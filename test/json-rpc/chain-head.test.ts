// The new JSON-RPC spec on our node, over a real WebSocket: chainHead_v1_follow events for blocks as
// they are authored and finalized, storage/call/body operations at a non-genesis block, unpinning and
// errors; then polkadot-api (a client built on chainHead_v1 only) reads the head, the chain spec,
// metadata constants and Alice's balance, which must equal the value decoded from the genesis storage.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'ws'
import { createClient } from 'polkadot-api'
import { getWsProvider } from 'polkadot-api/ws'
import { Reader, toHex } from '../../src/codec/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, encodeSs58, sr25519FromSuri, storageKey, storagePrefix } from '../../src/crypto/index.ts'
import { RpcServer } from '../../src/json-rpc/server.ts'
import { Connection, Registry, chainHeadRpc, type ChainAccess } from '../../src/json-rpc/index.ts'
import { DevChain, authorAuraBlock, localJustification, nodeRpc, runtimeAt } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

type Msg = { id?: number; method?: string; params?: { subscription: string; result: any }; result?: any; error?: { code: number; message: string } }

function client(url: string) {
  const ws = new WebSocket(url)
  const waiting = new Map<number, (m: Msg) => void>()
  const events: any[] = []
  let id = 1
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Msg
    if (m.id !== undefined) waiting.get(m.id)?.(m)
    else if (m.method === 'chainHead_v1_followEvent') events.push(m.params!.result)
  })
  return {
    opened: new Promise((r) => ws.once('open', r)),
    events,
    call: (method: string, params: unknown[] = []) =>
      new Promise<Msg>((r) => {
        const i = id++
        waiting.set(i, r)
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }))
      }),
    until: async (pred: (e: any) => boolean, what: string) => {
      for (let i = 0; i < 200; i++) {
        const e = events.find(pred)
        if (e) return e
        await new Promise((r) => setTimeout(r, 10))
      }
      throw new Error(`no ${what} event`)
    },
    close: () => ws.close(),
  }
}

function setup() {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const alice = sr25519FromSuri('//Alice')
  const grandpaKeys = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
  const g = chain.bestBlock
  const set = { setId: 0n, authorities: new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
  let slot = 4_000_000n
  const author = () => {
    const best = chain.bestBlock
    slot += 2n
    const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
    return chain.add(block, state)
  }
  const finalize = (hash: Uint8Array) => chain.finalize(hash, localJustification(chain.block(hash)!.header, slot, set, grandpaKeys).encoded)
  return { spec, chain, author, finalize }
}

test('chainHead_v1: follow events, operations, unpin and errors', { ...needsFixtures, timeout: 60_000 }, async () => {
  const { spec, chain, author, finalize } = setup()
  const h1 = author()
  finalize(h1)
  const h2 = author()
  const server = await RpcServer.start(nodeRpc(chain, { spec, peers: () => 0, localPeerId: () => 'x' }), { port: 0 })
  const c = client(`ws://127.0.0.1:${server.port}`)
  try {
    await c.opened
    assert.equal((await c.call('chainSpec_v1_genesisHash')).result, toHex(chain.genesisHash))
    assert.equal((await c.call('chainSpec_v1_chainName')).result, 'Local Testnet')
    const sub = (await c.call('chainHead_v1_follow', [true])).result as string
    const init = await c.until((e) => e.event === 'initialized', 'initialized')
    assert.deepEqual(init.finalizedBlockHashes, [toHex(h1)])
    assert.equal(init.finalizedBlockRuntime.spec.specName, 'node-template')
    const nb = await c.until((e) => e.event === 'newBlock', 'newBlock')
    assert.deepEqual(nb, { event: 'newBlock', blockHash: toHex(h2), parentBlockHash: toHex(h1), newRuntime: null })
    assert.deepEqual(await c.until((e) => e.event === 'bestBlockChanged', 'best'), { event: 'bestBlockChanged', bestBlockHash: toHex(h2) })
    // blocks authored and finalized while following
    const h3 = author()
    finalize(h2)
    await c.until((e) => e.event === 'newBlock' && e.blockHash === toHex(h3), 'newBlock #3')
    const fin = await c.until((e) => e.event === 'finalized', 'finalized')
    assert.deepEqual(fin, { event: 'finalized', finalizedBlockHashes: [toHex(h2)], prunedBlockHashes: [] })
    // header, storage and call at block #2
    const header = (await c.call('chainHead_v1_header', [sub, toHex(h2)])).result as string
    assert.equal(header, toHex(encodeHeader(chain.block(h2)!.header)))
    const st = (await c.call('chainHead_v1_storage', [sub, toHex(h2), [{ key: toHex(storagePrefix('System', 'Number')), type: 'value' }, { key: toHex(storagePrefix('System', 'Number')), type: 'hash' }, { key: toHex(storagePrefix('Aura', 'Authorities')), type: 'closestDescendantMerkleValue' }], null])).result
    assert.equal(st.result, 'started')
    const items = await c.until((e) => e.event === 'operationStorageItems' && e.operationId === st.operationId, 'storage items')
    assert.equal(items.items[0].value, '0x02000000')
    assert.match(items.items[1].hash, /^0x[0-9a-f]{64}$/)
    assert.match(items.items[2].closestDescendantMerkleValue, /^0x[0-9a-f]+$/)
    await c.until((e) => e.event === 'operationStorageDone' && e.operationId === st.operationId, 'storage done')
    const prefixOp = (await c.call('chainHead_v1_storage', [sub, toHex(h2), [{ key: toHex(storagePrefix('System', 'Account')), type: 'descendantsValues' }], null])).result
    const accounts = await c.until((e) => e.event === 'operationStorageItems' && e.operationId === prefixOp.operationId, 'descendants')
    assert.ok(accounts.items.length >= 2, 'the endowed accounts')
    const call = (await c.call('chainHead_v1_call', [sub, toHex(h2), 'Core_version', '0x'])).result
    const done = await c.until((e) => e.operationId === call.operationId, 'call done')
    assert.equal(done.event, 'operationCallDone')
    const bad = (await c.call('chainHead_v1_call', [sub, toHex(h2), 'No_such_function', '0x'])).result
    assert.equal((await c.until((e) => e.operationId === bad.operationId, 'call error')).event, 'operationError')
    const body = (await c.call('chainHead_v1_body', [sub, toHex(h2)])).result
    assert.equal((await c.until((e) => e.operationId === body.operationId, 'body')).value.length, 1)
    // unpin, then the block is no longer usable; unknown hashes and subscriptions
    assert.equal((await c.call('chainHead_v1_unpin', [sub, [toHex(h1)]])).result, null)
    assert.equal((await c.call('chainHead_v1_header', [sub, toHex(h1)])).error?.code, -32801)
    assert.equal((await c.call('chainHead_v1_unpin', [sub, toHex(h1)])).error?.code, -32801)
    assert.equal((await c.call('chainHead_v1_header', ['nope', toHex(h2)])).result, null)
    assert.equal((await c.call('chainHead_v1_header', [sub, '0x1234'])).error?.code, -32602)
    // the spec: unfollow answers null (and has no effect on an unknown id)
    assert.equal((await c.call('chainHead_v1_unfollow', [sub])).result, null)
    assert.equal((await c.call('chainHead_v1_unfollow', [sub])).result, null)
    // chain_getBlock reports the justifications Substrate persists (set changes, every 512th block): not #1's
    assert.equal((await c.call('chain_getBlock', [toHex(h1)])).result.justifications, null)
    assert.equal((await c.call('chain_getBlock', [toHex(h3)])).result.justifications, null)
  } finally {
    c.close()
    await server.stop()
  }
})

test('chainHead_v1: storage results in pages with waitingForContinue; stopOperation; follows limited per connection', { ...needsFixtures, timeout: 60_000 }, async () => {
  const { spec, chain, author } = setup()
  const h1 = author()
  const server = await RpcServer.start(nodeRpc(chain, { spec, peers: () => 0, localPeerId: () => 'x', chainHead: { storageItemsPerPage: 2, maxFollowsPerConnection: 2 } }), { port: 0 })
  const c = client(`ws://127.0.0.1:${server.port}`)
  const other = client(`ws://127.0.0.1:${server.port}`)
  try {
    await c.opened
    await other.opened
    const sub = (await c.call('chainHead_v1_follow', [false])).result as string
    const nb = await c.until((e) => e.event === 'newBlock' && e.blockHash === toHex(h1), 'newBlock')
    // the spec: a follow without runtimes has no `newRuntime` field, and its calls are refused with -32802
    assert.ok(!('newRuntime' in nb), JSON.stringify(nb))
    assert.equal((await c.call('chainHead_v1_call', [sub, toHex(h1), 'Core_version', '0x'])).error?.code, -32802)
    // every key of the state, two per page: the client must ask for each next page
    const all = chain.block(h1)!.state!
    let expected = 0
    for (let k = all.nextKey(new Uint8Array()); k; k = all.nextKey(k)) expected++
    assert.ok(expected > 6)
    const op = (await c.call('chainHead_v1_storage', [sub, toHex(h1), [{ key: '0x', type: 'descendantsHashes' }], null])).result
    const got: string[] = []
    for (;;) {
      const e = await c.until((x) => x.operationId === op.operationId && !x.seen, 'storage event')
      e.seen = true
      if (e.event === 'operationStorageItems') {
        assert.ok(e.items.length <= 2)
        got.push(...e.items.map((i: { key: string }) => i.key))
      } else if (e.event === 'operationWaitingForContinue') {
        assert.equal((await c.call('chainHead_v1_continue', [sub, op.operationId])).result, null)
      } else {
        assert.equal(e.event, 'operationStorageDone')
        break
      }
    }
    assert.equal(got.length, expected, 'every key, once')
    assert.equal(new Set(got).size, expected)
    // continuing a finished (unknown) operation has no effect (the spec); stopOperation ends one that waits
    assert.deepEqual((await c.call('chainHead_v1_continue', [sub, op.operationId])).result, null)
    const op2 = (await c.call('chainHead_v1_storage', [sub, toHex(h1), [{ key: '0x', type: 'descendantsValues' }], null])).result
    await c.until((x) => x.operationId === op2.operationId && x.event === 'operationWaitingForContinue', 'waiting')
    assert.equal((await c.call('chainHead_v1_stopOperation', [sub, op2.operationId])).result, null)
    assert.deepEqual((await c.call('chainHead_v1_continue', [sub, op2.operationId])).result, null)
    // two follows per connection here; another connection still gets its own
    assert.equal(typeof (await c.call('chainHead_v1_follow', [false])).result, 'string')
    assert.equal((await c.call('chainHead_v1_follow', [false])).error?.code, -32800)
    assert.equal(typeof (await other.call('chainHead_v1_follow', [false])).result, 'string', 'one client cannot lock out another')
  } finally {
    c.close()
    other.close()
    await server.stop()
  }
})

test('polkadot-api reads the head, chain spec, constants and balances from our node', { ...needsFixtures, timeout: 60_000 }, async () => {
  const { spec, chain, author, finalize } = setup()
  for (let i = 0; i < 3; i++) finalize(author())
  author()
  const server = await RpcServer.start(nodeRpc(chain, { spec, peers: () => 0, localPeerId: () => 'x' }), { port: 0 })
  const papi = createClient(getWsProvider(`ws://127.0.0.1:${server.port}`))
  try {
    const fin = await papi.getFinalizedBlock()
    assert.equal(fin.number, 3)
    assert.equal(fin.hash, toHex(chain.finalized().hash))
    const specData = await papi.getChainSpecData()
    assert.equal(specData.genesisHash, toHex(chain.genesisHash))
    const api = papi.getUnsafeApi()
    assert.equal(await api.constants.System.SS58Prefix(), 42)
    // Alice's free balance, independently from the genesis storage: AccountInfo = nonce u32, consumers u32,
    // providers u32, sufficients u32, then AccountData { free u128, ... }
    const alice = sr25519FromSuri('//Alice').publicKey
    if (spec.genesis.kind !== 'raw') throw new Error('raw genesis')
    const key = toHex(storageKey('System', 'Account', ['Blake2_128Concat', alice]))
    const raw = spec.genesis.top.find(([k]) => toHex(k) === key)![1]
    const r = new Reader(raw)
    r.u32(), r.u32(), r.u32(), r.u32()
    const free = r.u128()
    const account = (await api.query.System.Account.getValue(encodeSs58(alice))) as { nonce: number; data: { free: bigint } }
    assert.equal(account.data.free, free)
    assert.equal(account.nonce, 0)
    const number = await api.query.System.Number.getValue({ at: 'best' })
    assert.equal(number, 4)
  } finally {
    papi.destroy()
    await server.stop()
  }
})

test('chainHead_v1_continue on an operation in progress that is not waiting: -32803 (a fake chain whose bodies never come)', async () => {
  const header = { parentHash: new Uint8Array(32), number: 0, stateRoot: new Uint8Array(32).fill(1), extrinsicsRoot: new Uint8Array(32).fill(2), digest: [] }
  const hash = new Uint8Array(32).fill(7)
  const block = { hash, header }
  const never = () => new Promise<never>(() => {})
  const chain = {
    genesisHash: hash,
    ready: Promise.resolve(),
    finalized: () => block,
    best: () => block,
    blocksAbove: () => [],
    hashAt: (n: number) => (n === 0 ? hash : undefined),
    header: (h: Uint8Array) => (toHex(h) === toHex(hash) ? header : undefined),
    onEvent: () => () => {},
    body: never,
    storage: never,
    closestDescendantMerkleValue: never,
    descendants: () => ({ [Symbol.asyncIterator]: () => ({ next: never }) }),
    readProof: never,
    call: never,
    runtimeVersion: never,
    runtimeChanged: () => false,
  }
  const notes: any[] = []
  const conn = new Connection(chainHeadRpc(new Registry(), chain as unknown as ChainAccess, { name: 'fake' }), (t) => void notes.push(JSON.parse(t).params?.result))
  const ask = async (method: string, params: unknown[]) => JSON.parse((await conn.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })))!)
  const sub = (await ask('chainHead_v1_follow', [false])).result
  for (let i = 0; i < 50 && !notes.some((n) => n?.event === 'initialized'); i++) await new Promise((r) => setTimeout(r, 10))
  const op = (await ask('chainHead_v1_body', [sub, toHex(hash)])).result
  assert.equal(op.result, 'started')
  assert.equal((await ask('chainHead_v1_continue', [sub, op.operationId])).error?.code, -32803)
  assert.equal((await ask('chainHead_v1_continue', [sub, 'no-such-operation'])).result, null)
  conn.close()
})
