// SS58 addresses (Substrate's base58 account format): prefix (one byte for 0–63, two bytes for
// 64–16383), the 32-byte account, then the first two bytes of blake2b-512("SS58PRE" ++ prefix ++ account).

import { base58 } from '@scure/base'
import { blake2b } from '@noble/hashes/blake2.js'
import { bytesEqual, concatBytes, utf8 } from '../codec/index.ts'

export class Ss58Error extends Error {
  override readonly name = 'Ss58Error'
}

const PREFIX = utf8('SS58PRE')
const checksum = (payload: Uint8Array) => blake2b(concatBytes(PREFIX, payload), { dkLen: 64 }).subarray(0, 2)

/** Decodes an SS58 address of a 32-byte account; throws Ss58Error on a bad alphabet, length or checksum. */
export function decodeSs58(address: string): { account: Uint8Array; prefix: number } {
  let raw: Uint8Array
  try {
    raw = base58.decode(address)
  } catch {
    throw new Ss58Error('not a base58 string')
  }
  const prefixLen = raw.length > 0 && raw[0] & 0x40 ? 2 : 1
  if (raw.length !== prefixLen + 32 + 2) throw new Ss58Error(`unexpected address length ${raw.length}`)
  const payload = raw.subarray(0, prefixLen + 32)
  if (!bytesEqual(checksum(payload), raw.subarray(prefixLen + 32))) throw new Ss58Error('bad checksum')
  const prefix = prefixLen === 1 ? raw[0] : ((raw[0] & 0x3f) << 2) | (raw[1] >> 6) | ((raw[1] & 0x3f) << 8)
  return { account: raw.slice(prefixLen, prefixLen + 32), prefix }
}

/** Encodes a 32-byte account as an SS58 address with `prefix` (default 42, generic Substrate). */
export function encodeSs58(account: Uint8Array, prefix = 42): string {
  if (account.length !== 32) throw new Ss58Error('an account id is 32 bytes')
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 16383) throw new Ss58Error('prefix out of range')
  const head = prefix < 64 ? Uint8Array.of(prefix) : Uint8Array.of(((prefix & 0xfc) >> 2) | 0x40, (prefix >> 8) | ((prefix & 0x03) << 6))
  const payload = concatBytes(head, account)
  return base58.encode(concatBytes(payload, checksum(payload)))
}
