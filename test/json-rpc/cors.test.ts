// Acceptance (#16 item 8, CORS): browser pages on localhost get their preflight answered and their
// responses marked for their origin; other origins get 403 over HTTP and WebSocket; clients without an
// Origin header (not browsers) are always served; `cors: 'all'` and explicit lists behave as
// Substrate's --rpc-cors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'ws'
import { Registry } from '../../src/json-rpc/index.ts'
import { RpcServer, originAllowed } from '../../src/json-rpc/server.ts'

const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: [] })
const wsOpens = (url: string, origin?: string) =>
  new Promise<boolean>((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {})
    ws.once('open', () => (ws.close(), resolve(true)))
    ws.once('error', () => resolve(false))
    ws.once('unexpected-response', () => resolve(false))
  })

test('CORS: preflight, allowed and refused origins, over HTTP and WebSocket', async () => {
  const reg = new Registry().method('ping', () => 'pong')
  const server = await RpcServer.start(reg, { port: 0 })
  const strict = await RpcServer.start(reg, { port: 0, cors: ['https://app.example'] })
  const open = await RpcServer.start(reg, { port: 0, cors: 'all' })
  const url = (s: RpcServer) => `http://127.0.0.1:${s.port}`
  try {
    const pre = await fetch(url(server), { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://localhost:3000')
    assert.match(pre.headers.get('access-control-allow-methods')!, /POST/)
    assert.match(pre.headers.get('access-control-allow-headers')!, /content-type/)
    const post = await fetch(url(server), { method: 'POST', headers: { origin: 'http://127.0.0.1:8080', 'content-type': 'application/json' }, body })
    assert.equal(post.status, 200)
    assert.equal(post.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8080')
    assert.equal((await post.json()).result, 'pong')
    const evil = await fetch(url(server), { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body })
    assert.equal(evil.status, 403)
    assert.equal(evil.headers.get('access-control-allow-origin'), null)
    // not a browser: no Origin header, always served
    const plain = await fetch(url(server), { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    assert.equal((await plain.json()).result, 'pong')
    // WebSocket: the same rule at the upgrade
    const ws = url(server).replace('http', 'ws')
    assert.equal(await wsOpens(ws, 'http://localhost:5173'), true)
    assert.equal(await wsOpens(ws, 'https://evil.example'), false)
    assert.equal(await wsOpens(ws), true)
    // an explicit list, and all
    assert.equal((await fetch(url(strict), { method: 'POST', headers: { origin: 'http://localhost:3000' }, body })).status, 403)
    assert.equal((await fetch(url(strict), { method: 'POST', headers: { origin: 'https://app.example' }, body })).status, 200)
    assert.equal((await fetch(url(open), { method: 'POST', headers: { origin: 'https://anything.example' }, body })).status, 200)
    // port wildcards match ports only
    assert.equal(originAllowed('http://localhost'), true)
    assert.equal(originAllowed('http://localhost:3000'), true)
    assert.equal(originAllowed('http://localhost.evil.example'), false)
    assert.equal(originAllowed('http://localhost:3000.evil.example'), false)
  } finally {
    await server.stop()
    await strict.stop()
    await open.stop()
  }
})
