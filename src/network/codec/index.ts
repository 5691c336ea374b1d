// Substrate network protocol codecs (pure): framing, block announces, sync/2, light/2, transactions, grandpa gossip, protobuf.
export * from './errors.ts'
export * from './framing.ts'
export * from './protobuf.ts'
export * from './block-announces.ts'
export * from './sync.ts'
export * from './light.ts'
export * from './transactions.ts'
export * from './grandpa.ts'
