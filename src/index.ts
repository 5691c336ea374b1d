// sublight: a Substrate/Polkadot light client and small full node. Public entry point.
export * from './codec/index.ts'
export * from './crypto/index.ts'
