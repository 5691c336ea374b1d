// Nibble helpers over byte keys: the trie is base-16, keys are bytes, so nibble i of a key is its high
// or low half-byte. Kept tiny and allocation-free on the hot paths.

/** Nibble `i` of `key` (high half first). */
export function nibbleAt(key: Uint8Array, i: number): number {
  const b = key[i >> 1]
  return i & 1 ? b & 15 : b >> 4
}

/** Byte key → nibble array. */
export function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4
    out[2 * i + 1] = key[i] & 15
  }
  return out
}

/** Even-length nibble array → bytes (undefined when the length is odd: not a storage key). */
export function nibblesToBytes(n: ArrayLike<number>): Uint8Array | undefined {
  if (n.length & 1) return undefined
  const out = new Uint8Array(n.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = (n[2 * i] << 4) | n[2 * i + 1]
  return out
}

/** A fast Map key for a hash: 32 bytes become 16 UTF-16 code units (much cheaper than hex). */
export function hashKey(h: Uint8Array): string {
  if (h.length !== 32) return String.fromCharCode.apply(null, h as unknown as number[])
  return String.fromCharCode(
    h[0] | (h[1] << 8), h[2] | (h[3] << 8), h[4] | (h[5] << 8), h[6] | (h[7] << 8),
    h[8] | (h[9] << 8), h[10] | (h[11] << 8), h[12] | (h[13] << 8), h[14] | (h[15] << 8),
    h[16] | (h[17] << 8), h[18] | (h[19] << 8), h[20] | (h[21] << 8), h[22] | (h[23] << 8),
    h[24] | (h[25] << 8), h[26] | (h[27] << 8), h[28] | (h[29] << 8), h[30] | (h[31] << 8),
  )
}
