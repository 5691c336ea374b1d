// A minimal protobuf (proto3) wire codec for Substrate's few request-response messages: varints,
// length-delimited fields, unknown fields skipped, strict bounds. Hand-written because the messages are
// tiny and fixed (no schema compiler needed); every malformed input is a ProtocolError.

import { ProtocolError } from './errors.ts'

export type Field = { no: number; wire: 0; value: bigint } | { no: number; wire: 2; value: Uint8Array }

function readVarint(b: Uint8Array, pos: { p: number }): bigint {
  let v = 0n
  let shift = 0n
  for (let i = 0; i < 10; i++) {
    if (pos.p >= b.length) throw new ProtocolError('Malformed', 'truncated protobuf varint')
    const x = b[pos.p++]
    v |= BigInt(x & 0x7f) << shift
    if (!(x & 0x80)) return v
    shift += 7n
  }
  throw new ProtocolError('Malformed', 'protobuf varint too long')
}

/** Decodes all fields of a message (repeated fields appear several times, in order). */
export function decodeFields(b: Uint8Array): Field[] {
  const out: Field[] = []
  const pos = { p: 0 }
  while (pos.p < b.length) {
    const key = readVarint(b, pos)
    const no = Number(key >> 3n)
    const wire = Number(key & 7n)
    if (no === 0) throw new ProtocolError('Malformed', 'protobuf field number 0')
    if (wire === 0) out.push({ no, wire: 0, value: readVarint(b, pos) })
    else if (wire === 2) {
      const len = Number(readVarint(b, pos))
      if (len > b.length - pos.p) throw new ProtocolError('Malformed', 'protobuf length-delimited field overruns the message')
      out.push({ no, wire: 2, value: b.subarray(pos.p, pos.p + len) })
      pos.p += len
    } else if (wire === 1) pos.p += 8
    else if (wire === 5) pos.p += 4
    else throw new ProtocolError('Malformed', `unsupported protobuf wire type ${wire}`)
    if (pos.p > b.length) throw new ProtocolError('Malformed', 'protobuf fixed field overruns the message')
  }
  return out
}

export function bytesField(fields: Field[], no: number): Uint8Array | undefined {
  let v: Uint8Array | undefined
  for (const f of fields) if (f.no === no) {
    if (f.wire !== 2) throw new ProtocolError('Malformed', `protobuf field ${no} should be bytes`)
    v = f.value
  }
  return v
}
export function repeatedBytes(fields: Field[], no: number): Uint8Array[] {
  return fields.filter((f) => f.no === no).map((f) => {
    if (f.wire !== 2) throw new ProtocolError('Malformed', `protobuf field ${no} should be bytes`)
    return f.value
  })
}
export function varintField(fields: Field[], no: number): bigint | undefined {
  let v: bigint | undefined
  for (const f of fields) if (f.no === no) {
    if (f.wire !== 0) throw new ProtocolError('Malformed', `protobuf field ${no} should be a varint`)
    v = f.value
  }
  return v
}

/** Builds a message from fields in order. */
export class ProtoWriter {
  private parts: Uint8Array[] = []
  private varint(v: bigint | number): void {
    let x = BigInt(v)
    const out: number[] = []
    do {
      let byte = Number(x & 0x7fn)
      x >>= 7n
      if (x > 0n) byte |= 0x80
      out.push(byte)
    } while (x > 0n)
    this.parts.push(Uint8Array.from(out))
  }
  uint(no: number, v: bigint | number): this {
    this.varint((BigInt(no) << 3n) | 0n)
    this.varint(v)
    return this
  }
  bytes(no: number, v: Uint8Array): this {
    this.varint((BigInt(no) << 3n) | 2n)
    this.varint(v.length)
    this.parts.push(v)
    return this
  }
  finish(): Uint8Array {
    const n = this.parts.reduce((s, p) => s + p.length, 0)
    const out = new Uint8Array(n)
    let o = 0
    for (const p of this.parts) {
      out.set(p, o)
      o += p.length
    }
    return out
  }
}
