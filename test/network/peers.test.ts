// Peers on loopback: three sublight nodes discover each other through Kademlia (/<genesis>/kad) and
// exchange block-announce handshakes; misbehaving peers (garbage, wrong genesis) are dropped and banned
// while a well-behaved peer keeps being served; an oversized request or one substream too many is refused
// and costs reputation, without a ban (as Substrate: a busy client is not an attacker).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { GenesisChainServer, NetworkHost, ROLE_LIGHT, decodeLightResponse, encodeHandshake, encodeLightRequest, frame, FrameDecoder } from '../../src/network/index.ts'
import { TrieProof, decodeProof } from '../../src/trie/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

function server() {
  return new GenesisChainServer(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function readOneFrame(s: { addEventListener(t: string, f: (e: Event) => void): void }, max = 1 << 24): Promise<Uint8Array> {
  const dec = new FrameDecoder(max)
  return new Promise((resolve, reject) => {
    s.addEventListener('message', (e) => {
      const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
      const f = dec.push(d instanceof Uint8Array ? d : d.subarray())
      if (f.length) resolve(f[0])
    })
    s.addEventListener('close', () => reject(new Error('closed')))
    setTimeout(() => reject(new Error('timeout')), 10_000)
  })
}

test('three nodes discover each other through Kademlia and exchange block-announce handshakes', { ...needsFixtures, timeout: 60_000 }, async () => {
  const srv = server()
  const a = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const b = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [a.addresses()[0]] })
  const c = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [a.addresses()[0]] })
  try {
    // b and c only know a; c finds b's addresses through the DHT
    let found: string[] = []
    for (let i = 0; i < 40 && found.length === 0; i++) {
      await sleep(250)
      try {
        const info = await c.libp2p.peerRouting.findPeer(peerIdFromString(b.peerId), { signal: AbortSignal.timeout(3000) })
        found = info.multiaddrs.map((m) => m.toString())
      } catch {
        // routing tables still filling
      }
    }
    assert.ok(found.length > 0, 'c found b through Kademlia')
    const hs = await c.handshakeWith(multiaddr(`${found[0]}/p2p/${b.peerId}`))
    assert.deepEqual(hs.genesisHash, srv.genesisHash)
    assert.equal(hs.bestNumber, 0)
    assert.ok(b.peers.has(c.peerId), 'b recorded c after the handshake')
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()])
  }
})

test('peer-set maintenance connects to peers discovered through Kademlia, up to the target', { ...needsFixtures, timeout: 60_000 }, async () => {
  const srv = server()
  const a = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], peerSetIntervalMs: 500 })
  const b = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [a.addresses()[0]], peerSetIntervalMs: 500 })
  const c = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [a.addresses()[0]], peerSetIntervalMs: 500, targetPeers: 2 })
  try {
    let connected = false
    for (let i = 0; i < 80 && !connected; i++) {
      await sleep(250)
      connected = c.libp2p.getConnections(peerIdFromString(b.peerId)).length > 0
    }
    assert.ok(connected, 'c connected to b, which only the DHT told it about')
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()])
  }
})

test("a light host runs no Kademlia of its own: it asks its peer (FIND_NODE, answered by kad-dht) and connects to the peers named", { ...needsFixtures, timeout: 60_000 }, async () => {
  const srv = server()
  const a = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const b = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], bootNodes: [a.addresses()[0]] })
  const light = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [], roles: ROLE_LIGHT, bootNodes: [a.addresses()[0]], peerSetIntervalMs: 300, targetPeers: 2 })
  try {
    assert.equal((light.libp2p.services as Record<string, unknown>).dht, undefined, 'no kad-dht service')
    assert.ok(light.libp2p.getProtocols().includes('/ipfs/ping/1.0.0'), 'pings answered (our handler)')
    assert.ok(!light.libp2p.getProtocols().some((p) => p.endsWith('/kad')), 'no Kademlia protocol served')
    let connected = false
    for (let i = 0; i < 80 && !connected; i++) {
      await sleep(250)
      connected = light.announcingPeers().some((p) => p.peerId === b.peerId)
    }
    assert.ok(connected, 'the light host holds a block-announces substream with b, which only a named')
    assert.ok(!a.isBanned(light.peerId) && !light.isBanned(a.peerId) && !light.isBanned(b.peerId), 'nobody banned')
    // without js-libp2p's ping service, our handler still answers a full node's pings
    const rtt = await (a.libp2p.services as { ping: { ping(p: PeerId): Promise<number> } }).ping.ping(peerIdFromString(light.peerId))
    assert.ok(rtt >= 0 && rtt < 5000, `ping answered in ${rtt} ms`)
    // a lookup asks a connected peer, at its turn; with the target reached, nothing is asked at all
    assert.equal(await light.maintainPeers(), true)
  } finally {
    await Promise.all([a.stop(), b.stop(), light.stop()])
  }
})

test('misbehaving peers are banned, oversized requests and substream floods refused without a ban; a well-behaved peer is served meanwhile', { ...needsFixtures, timeout: 60_000 }, async () => {
  const srv = server()
  const node = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'], log: process.env.TRACE_PEERS ? (l) => console.log('node:', l) : undefined })
  const addr = multiaddr(node.addresses()[0])
  const g = toHex(srv.genesisHash).slice(2)
  const attackers: NetworkHost[] = []
  const attacker = async () => {
    const h = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [] })
    attackers.push(h)
    return h
  }
  try {
    // 1. garbage as a handshake
    const garbage = await attacker()
    const s1 = await garbage.libp2p.dialProtocol(addr, `/${g}/block-announces/1`)
    s1.send(frame(Uint8Array.from([1, 2, 3])))
    // 2. the wrong genesis
    const wrong = await attacker()
    const s2 = await wrong.libp2p.dialProtocol(addr, `/${g}/block-announces/1`)
    s2.send(frame(encodeHandshake({ roles: 1, bestNumber: 0, bestHash: new Uint8Array(32), genesisHash: new Uint8Array(32).fill(9) })))
    // 3. an oversized request (declared length beyond the limit): refused, not banned
    const big = await attacker()
    const s3 = await big.libp2p.dialProtocol(addr, `/${g}/light/2`)
    s3.send(Uint8Array.from([0x80, 0x80, 0x80, 0x10]))
    // 4. substreams in a loop: those past the limit are refused, not banned
    const flood = await attacker()
    const opened: unknown[] = []
    for (let i = 0; i < 40 && !node.isBanned(flood.peerId); i++) {
      try {
        opened.push(await flood.libp2p.dialProtocol(addr, `/${g}/sync/2`, { signal: AbortSignal.timeout(5000) }))
      } catch {
        break // the node hung up on us
      }
    }

    // meanwhile a well-behaved peer gets a verified read proof
    const good = await attacker()
    const s = await good.libp2p.dialProtocol(addr, `/${g}/light/2`)
    s.send(frame(encodeLightRequest({ kind: 'read', block: srv.genesisHash, keys: [utf8(':code')] })))
    await s.close()
    const res = decodeLightResponse(await readOneFrame(s))
    const proof = TrieProof.fromNodes(srv.header.stateRoot, decodeProof(res.proof!))
    assert.equal(proof.get(utf8(':code')).kind, 'value')

    const settled = () => [garbage, wrong].every((h) => node.isBanned(h.peerId)) && [big, flood].every((h) => node.reputation(h.peerId) < 0)
    for (let i = 0; i < 200 && !settled(); i++) await sleep(100)
    for (const [name, h] of [['garbage', garbage], ['wrong genesis', wrong]] as const) {
      assert.ok(node.isBanned(h.peerId), `${name} peer is banned`)
    }
    for (const [name, h] of [['oversized request', big], ['substream flood', flood]] as const) {
      assert.ok(!node.isBanned(h.peerId), `${name}: refused, not banned`)
      assert.ok(node.reputation(h.peerId) < 0, `${name}: costs reputation (${node.reputation(h.peerId)})`)
    }
    assert.ok(opened.length === 40, 'the flooding peer was never hung up on')
    // the oversized request got no answer: its substream was reset
    for (let i = 0; i < 50 && s3.status === 'open'; i++) await sleep(100)
    assert.notEqual(s3.status, 'open', 'the oversized request substream is closed by the node')
    assert.ok(!node.isBanned(good.peerId), 'the good peer is not banned')
    // a banned peer cannot come back
    await assert.rejects(garbage.libp2p.dialProtocol(addr, `/${g}/sync/2`, { signal: AbortSignal.timeout(5000) }))
  } finally {
    await Promise.all([node.stop(), ...attackers.map((h) => h.stop())])
  }
})
