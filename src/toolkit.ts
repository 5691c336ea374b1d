// sublight's toolkit (`sublight/toolkit`): the building blocks under the light client and the node —
// SCALE and hashing, the trie and proofs, headers, chain specs, BABE/Aura verification, the executor,
// GRANDPA finality, the fork tree. Apart from `sublight` itself (smoldot's API only, cheap to import),
// because these load WebAssembly hashers, the curves and the executor when imported.
export * from './codec/index.ts'
export * from './crypto/index.ts'
export * from './trie/index.ts'
export * from './header/index.ts'
export * from './chain-spec/index.ts'
// spec derivations for local networks (not in the light client's path: kept out of the browser bundle)
export { parachainDevSpec, PARACHAIN_DEV_COLLATOR } from './chain-spec/parachain-dev.ts'
export { withGenesisParachains, type GenesisParachain } from './chain-spec/relay-paras.ts'
export * from './verify/index.ts'
export * from './executor/index.ts'
export * from './finality/index.ts'
export * from './chain/index.ts'
