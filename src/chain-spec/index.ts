// Public surface of chain specs: parsing, the lightSyncState checkpoint, and the genesis block.
export * from './errors.ts'
export * from './chain-spec.ts'
export * from './light-sync-state.ts'
export * from './genesis.ts'
export * from './relay-pairing.ts'
