// One peer-store write per peer and protocol, not one per substream.
//
// js-libp2p (3.x) merges the protocol into the remote peer's record on every substream it opens or
// accepts (`Connection.newStream`, `onIncomingStream`): it takes the peer's write lock, reads the record
// from the datastore, decodes its protobuf, encodes it again with a new timestamp and writes it back.
// Substrate's request-response protocols open one substream per request, so every storage read, call
// proof or block request paid that on both ends (~0.5 ms a request in a profile of 300 reads, and
// garbage a serving node made per request). There is no setting for it, so `merge` is wrapped on the
// node's peer store: a merge that only adds protocols this peer's record already got from us is answered
// from what the last real merge returned. The record stays exact: any change to the peer's record
// (`peer:update`, e.g. identify replacing its protocol list) forgets what we knew of that peer, and a
// real merge still happens every `REFRESH_MS`, so the record's timestamp (its expiry) keeps moving while
// we talk to the peer.

import type { Libp2p } from 'libp2p'
import type { Peer, PeerData, PeerId } from '@libp2p/interface'

/** A protocol merged into a peer's record is merged again at least this often (ms). */
const REFRESH_MS = 10 * 60_000
/** Peers remembered at once; past it, everything is forgotten (the next merges are real ones). */
const MAX_PEERS = 1024

interface Known {
  protocols: Set<string>
  at: number
  peer: Peer
}

/** Wraps `libp2p.peerStore.merge` as the header says; returns a count of merges answered from memory. */
export function skipRepeatedProtocolMerges(libp2p: Libp2p): { skipped: () => number } {
  const store = libp2p.peerStore
  const merge = store.merge.bind(store)
  const known = new Map<string, Known>()
  let skipped = 0
  libp2p.addEventListener('peer:update', (e) => known.delete(e.detail.peer.id.toString()))
  libp2p.addEventListener('peer:disconnect', (e) => known.delete(e.detail.toString()))
  store.merge = async (id: PeerId, data: PeerData, options?: Parameters<typeof merge>[2]): Promise<Peer> => {
    const key = id.toString()
    // our own record changes with `self:peer:update` (the registrar patches it when a protocol is
    // unhandled): it is always merged for real
    const onlyProtocols = data.protocols !== undefined && Object.keys(data).every((k) => k === 'protocols') && !id.equals(libp2p.peerId)
    const k = known.get(key)
    if (onlyProtocols && k && Date.now() - k.at < REFRESH_MS && data.protocols!.every((p) => k.protocols.has(p))) {
      skipped++
      return k.peer
    }
    const peer = await merge(id, data, options)
    if (onlyProtocols) {
      // the record now holds these protocols (and whatever it held before)
      const entry = known.get(key)
      if (entry && Date.now() - entry.at < REFRESH_MS) {
        for (const p of data.protocols!) entry.protocols.add(p)
        entry.peer = peer
      } else {
        if (known.size >= MAX_PEERS) known.clear()
        known.set(key, { protocols: new Set(peer.protocols), at: Date.now(), peer })
      }
    }
    return peer
  }
  return { skipped: () => skipped }
}
