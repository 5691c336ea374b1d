// `/<genesis>/block-announces/1`: the handshake (roles, best number, best hash, genesis hash) and the
// announce (header, is-best, extra data), as sc-network-sync encodes them.

import { DecodeError, Reader, Writer, bytesEqual } from '../../codec/index.ts'
import { readHeader, writeHeader, type Header } from '../../header/index.ts'
import { ProtocolError } from './errors.ts'

/** sc-network `Roles` bit flags. */
export const ROLE_FULL = 1
export const ROLE_LIGHT = 2
export const ROLE_AUTHORITY = 4

export interface BlockAnnouncesHandshake {
  roles: number
  bestNumber: number
  bestHash: Uint8Array
  genesisHash: Uint8Array
}

export function encodeHandshake(h: BlockAnnouncesHandshake): Uint8Array {
  return new Writer(69).u8(h.roles).u32(h.bestNumber).bytes(h.bestHash).bytes(h.genesisHash).finish()
}

/** Decodes a handshake; a different genesis is a ProtocolError('WrongGenesis'). */
export function decodeHandshake(b: Uint8Array, expectedGenesis?: Uint8Array): BlockAnnouncesHandshake {
  try {
    const r = new Reader(b)
    const h = { roles: r.u8(), bestNumber: r.u32(), bestHash: r.bytes_(32), genesisHash: r.bytes_(32) }
    r.finish()
    if (expectedGenesis && !bytesEqual(h.genesisHash, expectedGenesis)) throw new ProtocolError('WrongGenesis', 'peer is on another chain (genesis hash differs)')
    return h
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('Malformed', `bad block-announces handshake: ${e.message}`)
    throw e
  }
}

export interface BlockAnnounce {
  header: Header
  isBest: boolean
  data: Uint8Array | undefined
}

/**
 * Substrate encodes `BlockAnnounce` by hand, not as a derived struct: the header, then the block state
 * (0 = normal, 1 = best) and the extra data (`Vec<u8>`) only when present — no Option tags.
 */
export function encodeBlockAnnounce(a: BlockAnnounce): Uint8Array {
  const w = new Writer(256)
  writeHeader(w, a.header)
  w.u8(a.isBest ? 1 : 0)
  w.vecU8(a.data ?? new Uint8Array())
  return w.finish()
}

export function decodeBlockAnnounce(b: Uint8Array): BlockAnnounce {
  try {
    const r = new Reader(b)
    const header = readHeader(r)
    const isBest = r.remaining > 0 ? r.variant(2) === 1 : false
    const data = r.remaining > 0 ? r.vecU8() : undefined
    r.finish()
    return { header, isBest, data }
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('Malformed', `bad block announce: ${e.message}`)
    throw e
  }
}

/** Substrate's name of handshake role bits in `system_peers` (its `Roles` debug form). */
export function peerRoleName(roles: number): string {
  return roles & 4 ? 'AUTHORITY' : roles & 2 ? 'LIGHT' : 'FULL'
}
