// Public surface of finality: GRANDPA justifications, warp-sync proofs, authority-set tracking. Pure.
export * from './justification.ts'
export * from './warp.ts'
export * from './authority-set.ts'
export * from './voter.ts'
