// Unsigned-varint length prefixes (multiformats uvarint), the framing of Substrate's notification
// handshakes, notifications and request-response payloads. Decoding is incremental: feed bytes, take
// whole frames; a frame longer than the limit is a ProtocolError before any of it is buffered.

import { concatBytes, encodeUleb128 } from '../../codec/index.ts'
import { ProtocolError } from './errors.ts'

/** The unsigned-varint length prefix (LEB128). */
export const encodeUvarint = encodeUleb128

export function frame(payload: Uint8Array): Uint8Array {
  return concatBytes(encodeUvarint(payload.length), payload)
}

/** Accumulates bytes and yields complete length-prefixed frames. */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0)
  constructor(private readonly maxFrame: number) {}

  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length === 0 ? chunk.slice() : concatBytes(this.buf, chunk)
    const out: Uint8Array[] = []
    for (;;) {
      let len = 0
      let mul = 1
      let i = 0
      for (; i < this.buf.length; i++) {
        const b = this.buf[i]
        len += (b & 0x7f) * mul
        mul *= 128
        if (!(b & 0x80)) break
        if (i >= 8) throw new ProtocolError('Malformed', 'length prefix too long')
      }
      if (i >= this.buf.length) return out // prefix incomplete
      if (len > this.maxFrame) throw new ProtocolError('TooLarge', `frame of ${len} bytes exceeds ${this.maxFrame}`)
      const start = i + 1
      if (this.buf.length - start < len) return out
      out.push(this.buf.slice(start, start + len))
      this.buf = this.buf.slice(start + len)
    }
  }

  get pending(): number {
    return this.buf.length
  }
}
