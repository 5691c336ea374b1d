// Public surface of the network layer: protocol codecs (pure), the chain server interface, the host.
export * from './codec/index.ts'
export * from './chain-server.ts'
export { NetworkHost, NetworkError, PeerTimeoutError, RequestTooLargeError, type HostOptions, type PeerInfo } from './host.ts'
export { PeerSet, peerKeyOf, type PeerSlotKind } from './peer-set.ts'
export { PeerReputations, REP, BANNED_THRESHOLD, type ReputationChange } from './reputation.ts'
