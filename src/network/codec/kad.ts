// `/<genesis>/kad`, the one exchange a light client needs (libp2p's Kademlia wire format, dht.proto, as
// Substrate and js-libp2p's kad-dht speak it): a FIND_NODE request for a key, and the closer peers the
// node answers with — their peer ids (multihash bytes) and binary multiaddrs. A light client only asks
// (smoldot does the same), so neither the routing-table messages nor the records are here.
//
//   Message { type = 1 (FIND_NODE = 4); key = 2; closerPeers = 8: Peer { id = 1; addrs = 2 (repeated); connection = 3 } }

import { ProtocolError } from './errors.ts'
import { ProtoWriter, bytesField, decodeFields, repeatedBytes, varintField } from './protobuf.ts'

export const KAD_FIND_NODE = 4
/** Peers in one answer at most (Kademlia's k is 20; room for peers that answer with more). */
export const MAX_KAD_PEERS = 100
/** Addresses of one peer kept at most. */
const MAX_KAD_ADDRS = 32

export interface KadPeer {
  /** The peer id as multihash bytes. */
  id: Uint8Array
  /** Its addresses as binary multiaddrs (not checked here). */
  addrs: Uint8Array[]
}

export function encodeFindNodeRequest(key: Uint8Array): Uint8Array {
  return new ProtoWriter().uint(1, KAD_FIND_NODE).bytes(2, key).finish()
}

/** The closer peers of a FIND_NODE answer; a message of another type is malformed. */
export function decodeFindNodeResponse(b: Uint8Array): KadPeer[] {
  const f = decodeFields(b)
  const type = varintField(f, 1) ?? 0n
  if (type !== BigInt(KAD_FIND_NODE)) throw new ProtocolError('Malformed', `Kademlia answer of type ${type} to FIND_NODE`)
  const peers = repeatedBytes(f, 8)
  if (peers.length > MAX_KAD_PEERS) throw new ProtocolError('TooLarge', `Kademlia answer with ${peers.length} peers`)
  return peers.map((p) => {
    const pf = decodeFields(p)
    const id = bytesField(pf, 1)
    if (!id || id.length === 0) throw new ProtocolError('Malformed', 'Kademlia peer without an id')
    return { id, addrs: repeatedBytes(pf, 2).slice(0, MAX_KAD_ADDRS) }
  })
}
