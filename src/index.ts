// sublight: a Substrate/Polkadot light client and small full node. Public entry point: smoldot's API
// (`start`, the client and chain types, the error classes) and nothing else, so that importing it costs
// what smoldot's does; the client loads its machinery on the first `addChain`. The building blocks
// (codec, crypto, trie, executor, …) are `sublight/toolkit`; the full node is `sublight/node`.
export * from './light-client/index.ts'
