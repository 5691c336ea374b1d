// Public surface of header verification: BABE (and Aura), and checkpoints from chain specs. Pure.
export * from './babe.ts'
export * from './checkpoint.ts'
export * from './aura.ts'
export * from './babe-epochs.ts'
export * from './aura-scheme.ts'
