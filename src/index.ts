// sublight: a Substrate/Polkadot light client and small full node. Public entry point.
export * from './codec/index.ts'
export * from './crypto/index.ts'
export * from './trie/index.ts'
export * from './header/index.ts'
export * from './chain-spec/index.ts'
export * from './verify/index.ts'
export * from './executor/index.ts'
