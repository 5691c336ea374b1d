// Ping as smoldot and rust-libp2p use it: one substream per connection, a 32-byte ping on it every 20 s.
// js-libp2p's own handler aborted that substream 10 s after it opened; ours answers every ping on it for
// as long as it stays open.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { GenesisChainServer, NetworkHost } from '../../src/network/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('one ping substream answers pings sent 11 s apart (beyond js-libp2p\'s 10 s limit)', { ...needsFixtures, timeout: 60_000 }, async () => {
  const server = new GenesisChainServer(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
  const a = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const b = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
  try {
    const conn = await b.dial(a.addresses()[0])
    const s = await conn.newStream('/ipfs/ping/1.0.0')
    const received: Uint8Array[] = []
    s.addEventListener('message', (e) => {
      const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
      received.push(d instanceof Uint8Array ? d.slice() : d.subarray().slice())
    })
    const echoed = async (payload: Uint8Array) => {
      const before = received.reduce((n, x) => n + x.length, 0)
      // split across two writes: the answer must still be the whole 32 bytes
      s.send(payload.subarray(0, 13))
      s.send(payload.subarray(13))
      for (let i = 0; i < 100 && received.reduce((n, x) => n + x.length, 0) < before + 32; i++) await new Promise((r) => setTimeout(r, 20))
      const all = new Uint8Array(received.reduce((n, x) => n + x.length, 0))
      let o = 0
      for (const x of received) (all.set(x, o), (o += x.length))
      return all.subarray(before)
    }
    const p1 = crypto.getRandomValues(new Uint8Array(32))
    assert.equal(toHex(await echoed(p1)), toHex(p1))
    await new Promise((r) => setTimeout(r, 11_000))
    assert.equal(s.status, 'open', 'the ping substream is still open')
    const p2 = crypto.getRandomValues(new Uint8Array(32))
    assert.equal(toHex(await echoed(p2)), toHex(p2))
    assert.ok(!a.isBanned(b.peerId))
  } finally {
    await b.stop()
    await a.stop()
  }
})
