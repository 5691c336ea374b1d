// A light client's Kademlia lookup, as smoldot's discovery does it: one FIND_NODE request for a key to one
// connected peer, a different peer at each lookup, and the peers its answer names as strings. Entries
// whose peer id or every address fails to parse are left out, so they never reach a dial. A full node
// looks up through kad-dht instead (`full-node-services.ts`).

import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { base58 } from '@scure/base'
import type { KadPeer } from './codec/index.ts'

/** A peer a Kademlia answer names: its peer id and multiaddrs, as strings. */
export interface FoundPeer {
  id: string
  addrs: string[]
}

/** `KadPeer` as strings; undefined when its id, or every one of its addresses, fails to parse. */
export function foundPeer(p: KadPeer): FoundPeer | undefined {
  let id: string
  try {
    id = peerIdFromString(base58.encode(p.id)).toString()
  } catch {
    return undefined
  }
  const addrs: string[] = []
  for (const a of p.addrs) {
    try {
      addrs.push(multiaddr(a).toString())
    } catch {
      // an address we cannot read: the others may do
    }
  }
  return addrs.length ? { id, addrs } : undefined
}

export class FindNodeLookups {
  private turn = 0

  constructor(private readonly findNode: (peer: string, key: Uint8Array) => Promise<KadPeer[]>) {}

  /** Asks the next of `peers` (in turn) for the peers it knows closest to `key`; nothing when `peers` is empty. */
  async *closestPeers(peers: readonly string[], key: Uint8Array, signal: AbortSignal): AsyncGenerator<FoundPeer> {
    if (peers.length === 0) return
    const peer = peers[this.turn++ % peers.length]
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }))
    for (const p of await Promise.race([this.findNode(peer, key), aborted])) {
      const found = foundPeer(p)
      if (found) yield found
    }
  }
}
