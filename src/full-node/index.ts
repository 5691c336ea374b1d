// Public surface of the full node (in progress): block authoring and import with execution.
export * from './block-builder.ts'
export * from './dev-chain.ts'
export * from './grandpa-local.ts'
export * from './rpc.ts'
