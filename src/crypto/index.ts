// Public surface of the crypto layer: hashes and storage-key hashers (signatures and VRF join later).
export * from './hashing.ts'
export * from './storage-keys.ts'
export * from './signatures.ts'
export { Transcript } from './merlin.ts'
export { vrfVerify, vrfSign, vrfMakeBytes } from './vrf.ts'
export * from './keys.ts'
export * from './ss58.ts'
