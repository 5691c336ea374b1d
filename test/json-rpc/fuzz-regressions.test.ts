// Regressions from fuzzing the JSON-RPC endpoint (#25, acceptance 6): each of these inputs once got a wrong
// answer or cost the server without limit.
// - an unsubscribe whose subscription id is an object with a non-callable `toString`, or a 100,000-deep
//   array: -32602 (it was -32603 from `String(params[0])`);
// - `"id":1e400` (Infinity once parsed, `null` once serialized): -32600 (it got a *successful* answer);
// - an HTTP request whose body never arrives: the connection is dropped after the request timeout (Node's
//   default kept it 300 s);
// - a WebSocket client that never reads while answers pile up: disconnected past the buffered limit (the
//   server buffered without bound); the endpoint keeps serving others;
// - a chain spec whose `protocolId` is 5 MiB: addChain took 18 s registering protocols named after it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { Connection, Registry } from '../../src/json-rpc/index.ts'
import { RpcServer } from '../../src/json-rpc/server.ts'
import { legacyProtocolIdUsable } from '../../src/network/host.ts'
import { start } from '../../src/light-client/index.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

function registry(): Registry {
  return new Registry()
    .method('system_name', () => 'sublight')
    .method('big', () => 'x'.repeat(256 * 1024))
    .subscription('chain_subscribeNewHeads', 'chain_newHead', 'chain_unsubscribeNewHeads', () => () => {})
}
const ask = async (conn: Connection, text: string) => JSON.parse((await conn.handle(text))!)

test('unsubscribe ids that are not strings get -32602; an id of 1e400 gets -32600', async () => {
  const conn = new Connection(registry(), () => {})
  const weird = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_unsubscribeNewHeads', params: [{ toString: 5 }] })
  assert.equal((await ask(conn, weird)).error.code, -32602)
  const deep = `{"jsonrpc":"2.0","id":2,"method":"chain_unsubscribeNewHeads","params":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`
  const r = await conn.handle(deep)
  // either the parser refuses such depth (-32700) or the id is refused as a parameter (-32602): never -32603
  assert.ok([-32602, -32700].includes(JSON.parse(r!).error.code), r)
  assert.deepEqual(await ask(conn, '{"jsonrpc":"2.0","id":3,"method":"chain_unsubscribeNewHeads","params":["nope"]}'), { jsonrpc: '2.0', id: 3, result: false })
  const inf = await ask(conn, '{"jsonrpc":"2.0","id":1e400,"method":"system_name","params":[]}')
  assert.equal(inf.error?.code, -32600)
  assert.equal(inf.id, null)
  assert.equal((await ask(conn, '{"jsonrpc":"2.0","id":1e300,"method":"system_name","params":[]}')).result, 'sublight', 'a large but finite id is fine')
})

test('an HTTP request whose body never arrives is dropped after the request timeout', { timeout: 30_000 }, async () => {
  const server = await RpcServer.start(registry(), { port: 0, requestTimeoutMs: 1_000 })
  try {
    const socket = connect(server.port, '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    const t0 = performance.now()
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"')
    socket.resume()
    await new Promise((r) => socket.once('close', r))
    const waited = performance.now() - t0
    assert.ok(waited >= 900 && waited < 10_000, `closed after ${Math.round(waited)} ms`)
  } finally {
    await server.stop()
  }
})

test('a WebSocket client that never reads is disconnected past the buffered limit; others are still served', { timeout: 60_000 }, async () => {
  const server = await RpcServer.start(registry(), { port: 0, maxBufferedBytes: 2 * 1024 * 1024 })
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}`)
    await new Promise((r) => ws.once('open', r))
    let answers = 0
    ws.on('message', () => void answers++)
    const closed = new Promise((r) => ws.once('close', r))
    // stop reading: the kernel buffers fill, then the server's own buffer grows
    ;(ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()
    for (let i = 0; i < 400; i++) ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'big', params: [] }))
    await new Promise((r) => setTimeout(r, 2_000))
    ;(ws as unknown as { _socket: { resume(): void } })._socket.resume()
    await closed
    assert.ok(answers < 400, `disconnected before all 400 answers of 256 KiB (100 MiB) were buffered (${answers} read)`)
    // the endpoint still serves a client that reads
    const other = new WebSocket(`ws://127.0.0.1:${server.port}`)
    await new Promise((r) => other.once('open', r))
    const reply = new Promise<string>((r) => other.once('message', (d) => r(String(d))))
    other.send('{"jsonrpc":"2.0","id":1,"method":"system_name","params":[]}')
    assert.equal(JSON.parse(await reply).result, 'sublight')
    other.close()
  } finally {
    await server.stop()
  }
})

test('a chain spec with a 5 MiB protocolId: addChain is not held up registering protocols named after it', { ...needsFixtures, timeout: 60_000 }, async () => {
  const json = JSON.parse(readFileSync(fixturePath('chain-specs', 'node-template.json'), 'utf8'))
  json.protocolId = 'a'.repeat(5 * 1024 * 1024)
  json.bootNodes = []
  assert.equal(legacyProtocolIdUsable(json.protocolId), false)
  assert.ok(['dot', 'ksmcc3', 'westend2', 'paseo'].every(legacyProtocolIdUsable), 'real protocol ids are used')
  const client = start({ maxLogLevel: 0 })
  try {
    const t0 = performance.now()
    const chain = await client.addChain({ chainSpec: JSON.stringify(json) })
    const took = performance.now() - t0
    // registering protocol names of 5 MiB took 18 s before
    assert.ok(took < 5_000, `addChain took ${Math.round(took)} ms`)
    chain.sendJsonRpc('{"jsonrpc":"2.0","id":1,"method":"chainSpec_v1_chainName","params":[]}')
    assert.equal(JSON.parse(await chain.nextJsonRpcResponse()).result, json.name)
  } finally {
    await client.terminate()
  }
})
