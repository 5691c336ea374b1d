// smoldot's transport bans are honoured: an address on a forbidden transport is never dialled (the
// rules as a pure function, then for real: with `forbidTcp` a TCP-only boot node is not contacted, a
// WebSocket one is, and the chain initializes through it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addressAllowed } from '../../src/light-client/chain-service.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const P = '/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5'

test('which addresses each forbid option excludes', () => {
  const tcp = `/ip4/1.2.3.4/tcp/30333${P}`
  const ws = `/ip4/1.2.3.4/tcp/30333/ws${P}`
  const localWs = `/ip4/127.0.0.1/tcp/30333/ws${P}`
  const wss = `/dns/example.org/tcp/443/wss${P}`
  const tlsWs = `/dns/example.org/tcp/443/tls/ws${P}`
  for (const a of [tcp, ws, localWs, wss, tlsWs]) assert.equal(addressAllowed(a, {}), true, a)
  assert.equal(addressAllowed(tcp, { tcp: true }), false)
  assert.equal(addressAllowed(ws, { tcp: true }), true)
  assert.equal(addressAllowed(ws, { ws: true }), false)
  assert.equal(addressAllowed(wss, { ws: true }), true)
  assert.equal(addressAllowed(ws, { nonLocalWs: true }), false)
  assert.equal(addressAllowed(localWs, { nonLocalWs: true }), true)
  assert.equal(addressAllowed(wss, { wss: true }), false)
  assert.equal(addressAllowed(tlsWs, { wss: true }), false)
  assert.equal(addressAllowed(`/ip4/1.2.3.4/udp/30333/webrtc-direct${P}`, {}), false, 'no WebRTC yet')
})

test('forbidTcp: the TCP boot node is never contacted, the WebSocket one serves the chain', { ...needsFixtures, timeout: 90_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const tcpOnly = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const wsOnly = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
  const client = start({ maxLogLevel: 1, logCallback: () => {}, forbidTcp: true })
  try {
    const json = JSON.parse(specText)
    json.bootNodes = [tcpOnly.host.addresses()[0], wsOnly.host.addresses()[0]]
    const chain = await client.addChain({ chainSpec: JSON.stringify(json) })
    chain.sendJsonRpc('{"jsonrpc":"2.0","id":1,"method":"chainHead_v1_follow","params":[false]}')
    for (let i = 0; i < 3; i++) {
      const m = JSON.parse(await chain.nextJsonRpcResponse())
      if (m.params?.result?.event === 'initialized') break
    }
    await new Promise((r) => setTimeout(r, 2000))
    assert.equal(tcpOnly.host.libp2p.getPeers().length, 0, 'the TCP-only node was never dialled')
    assert.equal(wsOnly.host.libp2p.getPeers().length, 1, 'the WebSocket node was')
  } finally {
    await client.terminate().catch(() => {})
    await tcpOnly.stop()
    await wsOnly.stop()
  }
})
