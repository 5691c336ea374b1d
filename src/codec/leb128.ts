// Unsigned LEB128 (also multiformats' unsigned varint): 7 bits per byte, least significant first, the
// high bit set on every byte but the last. Used by libp2p framing and the WebAssembly binary format.

export function encodeUleb128(n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}
