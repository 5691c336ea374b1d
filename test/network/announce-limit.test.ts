// Block announces are bounded as Substrate bounds them (1 MiB): a peer announcing a larger frame is
// banned as soon as the length prefix arrives, before anything is buffered; an announce under the limit
// is delivered.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { GenesisChainServer, NetworkHost, ROLE_FULL, encodeBlockAnnounce, encodeHandshake, encodeUvarint, frame } from '../../src/network/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { toHex } from '../../src/codec/index.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('an oversized block announce bans its sender; a normal one is delivered', { ...needsFixtures, timeout: 60_000 }, async () => {
  const server = new GenesisChainServer(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
  const announced: number[] = []
  const a = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'], onAnnounce: (_p, ann) => announced.push(ann.header.number) })
  const good = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const bad = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const protocol = `/${toHex(server.genesisHash).slice(2)}/block-announces/1`
  const hs = frame(encodeHandshake({ roles: ROLE_FULL, bestNumber: 0, bestHash: server.genesisHash, genesisHash: server.genesisHash }))
  try {
    const header = { parentHash: server.genesisHash, number: 1, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [] }
    const s1 = await (await good.dial(a.addresses()[0])).newStream(protocol)
    s1.send(hs)
    s1.send(frame(encodeBlockAnnounce({ header, isBest: true, data: undefined })))
    for (let i = 0; i < 200 && announced.length === 0; i++) await new Promise((r) => setTimeout(r, 25))
    assert.deepEqual(announced, [1])
    const s2 = await (await bad.dial(a.addresses()[0])).newStream(protocol)
    s2.send(hs)
    s2.send(encodeUvarint(1024 * 1024 + 1)) // the length prefix of a 1 MiB + 1 announce
    for (let i = 0; i < 200 && !a.isBanned(bad.peerId); i++) await new Promise((r) => setTimeout(r, 25))
    assert.ok(a.isBanned(bad.peerId), 'oversized announce: banned')
    assert.ok(!a.isBanned(good.peerId))
  } finally {
    await bad.stop()
    await good.stop()
    await a.stop()
  }
})
