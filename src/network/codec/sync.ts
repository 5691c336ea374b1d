// `/<genesis>/sync/2` (sc-network-sync schema api.v1.proto): BlockRequest { fields, from (hash |
// number as little-endian bytes), direction, max_blocks } and BlockResponse { repeated BlockData }.

import { DecodeError, Reader, bytesEqual } from '../../codec/index.ts'
import { ProtocolError } from './errors.ts'
import { ProtoWriter, bytesField, decodeFields, repeatedBytes, varintField } from './protobuf.ts'

/**
 * BlockAttributes bits. On the wire Substrate sends them in the most significant byte of the `fields`
 * u32 (`BlockAttributes::to_be_u32`): HEADER arrives as 1 << 24.
 */
export const BLOCK_HEADER = 1
export const BLOCK_BODY = 2
export const BLOCK_JUSTIFICATION = 16

export interface BlockRequest {
  fields: number
  from: { hash: Uint8Array } | { number: number }
  direction: 'ascending' | 'descending'
  maxBlocks: number
  /**
   * Field 7: the requester accepts `justifications` (every engine's) rather than only GRANDPA's
   * `justification`. Substrate and smoldot always send `true`; absent means false (old peers).
   */
  supportMultipleJustifications?: boolean
}

export interface BlockData {
  hash: Uint8Array
  header?: Uint8Array
  body?: Uint8Array[]
  justification?: Uint8Array
  /** SCALE `Justifications` (engine id + bytes pairs). */
  justifications?: Uint8Array
}

/**
 * Encodes a request as Substrate and smoldot do: every field written, in schema order, including an
 * ascending `direction` (0) and `support_multiple_justifications` (true unless said otherwise).
 */
export function encodeBlockRequest(r: BlockRequest): Uint8Array {
  const w = new ProtoWriter().uint(1, (r.fields & 0xff) * 2 ** 24)
  if ('hash' in r.from) w.bytes(2, r.from.hash)
  else {
    const n = new Uint8Array(4)
    new DataView(n.buffer).setUint32(0, r.from.number, true)
    w.bytes(3, n)
  }
  w.uint(5, r.direction === 'descending' ? 1 : 0).uint(6, r.maxBlocks)
  return w.uint(7, r.supportMultipleJustifications === false ? 0 : 1).finish()
}

export function decodeBlockRequest(b: Uint8Array): BlockRequest {
  const f = decodeFields(b)
  const hash = bytesField(f, 2)
  const num = bytesField(f, 3)
  let from: BlockRequest['from']
  if (hash !== undefined) {
    if (hash.length !== 32) throw new ProtocolError('Malformed', 'block request hash must be 32 bytes')
    from = { hash }
  } else if (num !== undefined) {
    if (num.length === 0 || num.length > 8) throw new ProtocolError('Malformed', 'block request number must be 1 to 8 bytes')
    let n = 0n
    for (let i = num.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(num[i])
    if (n > 0xffffffffn) throw new ProtocolError('Malformed', 'block request number out of range')
    from = { number: Number(n) }
  } else throw new ProtocolError('Malformed', 'block request without a starting block')
  const dir = varintField(f, 5) ?? 0n
  if (dir > 1n) throw new ProtocolError('Malformed', `unknown direction ${dir}`)
  const max = varintField(f, 6) ?? 0n
  if (max > 0xffffffffn) throw new ProtocolError('Malformed', 'max_blocks out of range')
  return {
    fields: Number(((varintField(f, 1) ?? 0n) >> 24n) & 0xffn),
    from,
    direction: dir === 1n ? 'descending' : 'ascending',
    maxBlocks: Number(max),
    supportMultipleJustifications: (varintField(f, 7) ?? 0n) !== 0n,
  }
}

const FRNK = Uint8Array.of(0x46, 0x52, 0x4e, 0x4b)

/**
 * The GRANDPA justification a block carries: the legacy `justification` field, or engine `FRNK` inside
 * SCALE `Justifications`. Throws ProtocolError when `justifications` is malformed.
 */
export function grandpaJustificationOf(d: BlockData): Uint8Array | undefined {
  if (d.justification?.length) return d.justification
  if (!d.justifications) return undefined
  try {
    const list = new Reader(d.justifications).vec((x) => ({ engine: x.bytes_(4), data: x.vecU8() }))
    return list.find((j) => bytesEqual(j.engine, FRNK))?.data
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('Malformed', `bad justifications: ${e.message}`)
    throw e
  }
}

export function encodeBlockResponse(blocks: BlockData[]): Uint8Array {
  const w = new ProtoWriter()
  for (const b of blocks) {
    const d = new ProtoWriter().bytes(1, b.hash)
    if (b.header) d.bytes(2, b.header)
    for (const x of b.body ?? []) d.bytes(3, x)
    if (b.justification) d.bytes(6, b.justification)
    if (b.justifications) d.bytes(8, b.justifications)
    w.bytes(1, d.finish())
  }
  return w.finish()
}

export function decodeBlockResponse(b: Uint8Array): BlockData[] {
  return repeatedBytes(decodeFields(b), 1).map((m) => {
    const f = decodeFields(m)
    const hash = bytesField(f, 1)
    if (!hash || hash.length !== 32) throw new ProtocolError('Malformed', 'block data without a 32-byte hash')
    const body = repeatedBytes(f, 3)
    return { hash, header: bytesField(f, 2), body: body.length ? body : undefined, justification: bytesField(f, 6), justifications: bytesField(f, 8) }
  })
}
