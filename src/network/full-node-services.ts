// A full node's share of the libp2p services: js-libp2p's kad-dht serving Kademlia on `/<genesis>/kad`
// (what light clients, smoldot among them, discover peers through), and the ping service kad-dht pings
// peers with (outbound; inbound pings are answered by our own handler, `inbound.ts`). The host loads this
// module only for a full node: a light client asks Kademlia with one FIND_NODE request of its own
// (`requests.ts`), so neither it nor a browser page's first chunk loads kad-dht.

import { kadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'

export function fullNodeServices(genesisHex: string) {
  return {
    ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 4 }),
    dht: kadDHT({ protocol: `/${genesisHex}/kad`, clientMode: false, peerInfoMapper: (p) => p }),
  }
}
