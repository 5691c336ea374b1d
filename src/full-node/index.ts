// Public surface of the full node (in progress): block authoring and import with execution.
export * from './block-builder.ts'
export * from './dev-chain.ts'
export * from './grandpa-local.ts'
export * from './rpc.ts'
export * from './tx-pool.ts'
export * from './dev-node.ts'
export * from './rpc-author.ts'
export * from './runtime-apis.ts'
