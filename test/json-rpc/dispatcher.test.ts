// The transport-free dispatcher: unsubscribe answers per family (legacy true/false, the new spec's null,
// an error for an unknown `transactionWatch_v1_unwatch`), only a subscription's own family may end it,
// and the per-connection context handlers receive.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Connection, Registry, type CallContext } from '../../src/json-rpc/index.ts'

function setup() {
  const stopped: string[] = []
  const contexts: number[] = []
  const reg = new Registry()
    .subscription('legacy_subscribe', 'legacy_note', 'legacy_unsubscribe', (_p, _e, id) => () => void stopped.push(id))
    .subscription('watch_submit', 'watch_event', 'transactionWatch_v1_unwatch', (_p, _e, id) => () => void stopped.push(id), 'nullOrError')
    .subscription('chainHead_v1_follow', 'follow_event', 'chainHead_v1_unfollow', (_p, _e, id, ctx: CallContext) => (contexts.push(ctx.connectionId), () => void stopped.push(id)), 'null')
  reg.alias('legacy_unsubscribe_old', 'legacy_unsubscribe')
  const conn = () => new Connection(reg, () => {})
  const call = async (c: Connection, method: string, params: unknown[] = []) => JSON.parse((await c.handle(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })))!)
  return { stopped, contexts, conn, call }
}

test('unsubscribe answers: legacy bool, chainHead null, transactionWatch null or an error', async () => {
  const { stopped, conn, call } = setup()
  const c = conn()
  const legacy = (await call(c, 'legacy_subscribe')).result
  const watch = (await call(c, 'watch_submit')).result
  const follow = (await call(c, 'chainHead_v1_follow')).result
  // other families cannot end them
  assert.equal((await call(c, 'legacy_unsubscribe', [follow])).result, false)
  assert.equal((await call(c, 'chainHead_v1_unfollow', [legacy])).result, null)
  assert.equal((await call(c, 'transactionWatch_v1_unwatch', [follow])).error.code, -32602)
  assert.deepEqual(stopped, [])
  // their own family does, aliases included
  assert.equal((await call(c, 'legacy_unsubscribe_old', [legacy])).result, true)
  assert.equal((await call(c, 'legacy_unsubscribe', [legacy])).result, false)
  assert.equal((await call(c, 'transactionWatch_v1_unwatch', [watch])).result, null)
  assert.equal((await call(c, 'chainHead_v1_unfollow', [follow])).result, null)
  assert.equal((await call(c, 'chainHead_v1_unfollow', [follow])).result, null, 'no effect, no error')
  assert.deepEqual(stopped, [legacy, watch, follow])
})

test('handlers see which connection called; closing a connection ends its subscriptions only', async () => {
  const { stopped, contexts, conn, call } = setup()
  const a = conn()
  const b = conn()
  const fa = (await call(a, 'chainHead_v1_follow')).result
  const fb = (await call(b, 'chainHead_v1_follow')).result
  assert.equal(contexts.length, 2)
  assert.notEqual(contexts[0], contexts[1])
  a.close()
  assert.deepEqual(stopped, [fa])
  assert.equal((await call(a, 'chainHead_v1_unfollow', [fb])).result, null)
  assert.deepEqual(stopped, [fa], "a connection cannot end another connection's subscription")
})
