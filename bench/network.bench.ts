// Network on loopback: dial-to-handshake time (TCP and WebSocket: noise + yamux + multistream +
// block-announces handshake both ways) and the round trip of a ~1 MiB read proof (Westend's genesis
// `:code`, 1.1 MB) over light/2, verified against the state root on arrival.
import { readFileSync } from 'node:fs'
import { multiaddr } from '@multiformats/multiaddr'
import { toHex, utf8 } from '../src/codec/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { FrameDecoder, GenesisChainServer, NetworkHost, decodeLightResponse, encodeLightRequest, frame } from '../src/network/index.ts'
import { TrieProof, decodeProof } from '../src/trie/index.ts'
import { nodeTransports } from '../src/platform/node.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const srv = new GenesisChainServer(parseChainSpec(readFileSync(`${FX}/chain-specs/westend-genesis.json`, 'utf8')))
for (const ws of [false, true]) {
  const node = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [ws ? '/ip4/127.0.0.1/tcp/0/ws' : '/ip4/127.0.0.1/tcp/0'] })
  const addr = node.addresses()[0]
  const times: number[] = []
  for (let i = 0; i < 9; i++) {
    const client = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [] })
    const t = performance.now()
    await client.handshakeWith(multiaddr(addr))
    times.push(performance.now() - t)
    await client.stop()
  }
  console.log(`dial + noise + yamux + block-announces handshake (${ws ? 'WebSocket' : 'TCP'})`.padEnd(64), `${median(times).toFixed(1).padStart(7)} ms`)
  await node.stop()
}
const node = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: ['/ip4/127.0.0.1/tcp/0'] })

const client = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [] })
const g = toHex(srv.genesisHash).slice(2)
const tcp = multiaddr(node.addresses().find((a) => !a.includes('/ws'))!)
const times: number[] = []
let size = 0
for (let i = 0; i < 9; i++) {
  const t = performance.now()
  const s = await client.libp2p.dialProtocol(tcp, `/${g}/light/2`)
  s.send(frame(encodeLightRequest({ kind: 'read', block: srv.genesisHash, keys: [utf8(':code')] })))
  await s.close()
  const dec = new FrameDecoder(64 << 20)
  const f = await new Promise<Uint8Array>((resolve) => {
    s.addEventListener('message', (e) => {
      const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
      const fr = dec.push(d instanceof Uint8Array ? d : d.subarray())
      if (fr.length) resolve(fr[0])
    })
  })
  const proof = decodeLightResponse(f).proof!
  size = proof.length
  if (TrieProof.fromNodes(srv.header.stateRoot, decodeProof(proof)).get(utf8(':code')).kind !== 'value') throw new Error('bad proof')
  times.push(performance.now() - t)
}
console.log(`light/2 read proof round trip, ${(size / 1048576).toFixed(2)} MiB, verified (TCP)`.padEnd(64), `${median(times).toFixed(1).padStart(7)} ms`)
await client.stop()
await node.stop()
process.exit(0)
