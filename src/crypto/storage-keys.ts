// Storage-key construction as FRAME does it: `twox128(pallet) ++ twox128(item)` followed by hashed map
// keys (Blake2_128Concat, Twox64Concat, Identity, and the non-concat hashers).

import { concatBytes, utf8 } from '../codec/hex.ts'
import { blake2_128, blake2_256, twox128, twox256, twox64 } from './hashing.ts'

export type StorageHasher = 'Blake2_128' | 'Blake2_256' | 'Blake2_128Concat' | 'Twox128' | 'Twox256' | 'Twox64Concat' | 'Identity'

/** Applies a FRAME storage hasher to an encoded map key. */
export function hashKey(hasher: StorageHasher, key: Uint8Array): Uint8Array {
  switch (hasher) {
    case 'Blake2_128':
      return blake2_128(key)
    case 'Blake2_256':
      return blake2_256(key)
    case 'Blake2_128Concat':
      return concatBytes(blake2_128(key), key)
    case 'Twox128':
      return twox128(key)
    case 'Twox256':
      return twox256(key)
    case 'Twox64Concat':
      return concatBytes(twox64(key), key)
    case 'Identity':
      return key
    default:
      throw new TypeError(`unknown storage hasher: ${String(hasher)}`)
  }
}

/** `twox128(pallet) ++ twox128(item)`: the prefix of a storage item. */
export function storagePrefix(pallet: string, item: string): Uint8Array {
  return concatBytes(twox128(utf8(pallet)), twox128(utf8(item)))
}

/** Full key of a storage map entry (or plain value when `keys` is empty). */
export function storageKey(pallet: string, item: string, ...keys: [StorageHasher, Uint8Array][]): Uint8Array {
  return concatBytes(storagePrefix(pallet, item), ...keys.map(([h, k]) => hashKey(h, k)))
}
