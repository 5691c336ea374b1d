// Public surface of headers: header/digest codec, hashes, and typed BABE/Aura/GRANDPA digest payloads.
export * from './header.ts'
export * from './consensus-logs.ts'
