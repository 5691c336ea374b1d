// Hash functions Substrate uses: blake2b (256/128/64), twox (xxhash64 with seeds; 64/128/256),
// keccak-256 and sha2-256. blake2b runs in WebAssembly (hash-wasm: measured 9x faster than
// @noble/hashes on 64-byte trie nodes, 23x on 1 MiB), keccak/sha2 come from @noble/hashes, twox from
// xxhash-wasm. The WebAssembly hashers are initialised once with a top-level await (Node and browsers).

import { createBLAKE2b, type IHasher } from 'hash-wasm'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import xxhash from 'xxhash-wasm'

const { h64Raw } = await xxhash()
const [b256, b128, b64] = await Promise.all([createBLAKE2b(256), createBLAKE2b(128), createBLAKE2b(64)])

function blake(h: IHasher, data: Uint8Array): Uint8Array {
  h.init()
  h.update(data)
  return h.digest('binary')
}
export const blake2_256 = (data: Uint8Array): Uint8Array => blake(b256, data)
export const blake2_128 = (data: Uint8Array): Uint8Array => blake(b128, data)
export const blake2_64 = (data: Uint8Array): Uint8Array => blake(b64, data)
export const keccak256 = (data: Uint8Array): Uint8Array => keccak_256(data)
export const sha2_256 = (data: Uint8Array): Uint8Array => nobleSha256(data)

function writeU64le(out: Uint8Array, offset: number, v: bigint): void {
  let lo = Number(v & 0xffffffffn)
  let hi = Number(v >> 32n)
  for (let i = 0; i < 4; i++) {
    out[offset + i] = lo & 0xff
    lo >>>= 8
    out[offset + 4 + i] = hi & 0xff
    hi >>>= 8
  }
}

/** xxhash64 of `data` with `rounds` seeds 0..rounds-1, little-endian concatenated (Substrate's twox). */
function twox(data: Uint8Array, rounds: number): Uint8Array {
  const out = new Uint8Array(rounds * 8)
  for (let i = 0; i < rounds; i++) writeU64le(out, i * 8, h64Raw(data, BigInt(i)))
  return out
}
export const twox64 = (data: Uint8Array): Uint8Array => twox(data, 1)
export const twox128 = (data: Uint8Array): Uint8Array => twox(data, 2)
export const twox256 = (data: Uint8Array): Uint8Array => twox(data, 4)
