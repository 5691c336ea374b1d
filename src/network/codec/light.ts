// `/<genesis>/light/2` (sc-network-light schema light.v1.proto): RemoteCallRequest, RemoteReadRequest,
// RemoteReadChildRequest and the proof responses (SCALE-encoded storage proofs).

import { fromUtf8, utf8 } from '../../codec/index.ts'
import { ProtocolError } from './errors.ts'
import { ProtoWriter, bytesField, decodeFields, repeatedBytes } from './protobuf.ts'

export type LightRequest =
  | { kind: 'call'; block: Uint8Array; method: string; data: Uint8Array }
  | { kind: 'read'; block: Uint8Array; keys: Uint8Array[] }
  | { kind: 'readChild'; block: Uint8Array; childKey: Uint8Array; keys: Uint8Array[] }

export function encodeLightRequest(r: LightRequest): Uint8Array {
  if (r.kind === 'call') return new ProtoWriter().bytes(1, new ProtoWriter().bytes(2, r.block).bytes(3, utf8(r.method)).bytes(4, r.data).finish()).finish()
  if (r.kind === 'read') {
    const inner = new ProtoWriter().bytes(2, r.block)
    for (const k of r.keys) inner.bytes(3, k)
    return new ProtoWriter().bytes(2, inner.finish()).finish()
  }
  const inner = new ProtoWriter().bytes(2, r.block).bytes(3, r.childKey)
  for (const k of r.keys) inner.bytes(6, k)
  return new ProtoWriter().bytes(4, inner.finish()).finish()
}

export function decodeLightRequest(b: Uint8Array): LightRequest {
  const f = decodeFields(b)
  const block = (m: ReturnType<typeof decodeFields>) => {
    const h = bytesField(m, 2)
    if (!h || h.length !== 32) throw new ProtocolError('Malformed', 'light request block must be a 32-byte hash')
    return h
  }
  const call = bytesField(f, 1)
  if (call) {
    const m = decodeFields(call)
    let method: string
    try {
      method = fromUtf8(bytesField(m, 3) ?? new Uint8Array())
    } catch {
      throw new ProtocolError('Malformed', 'call method is not UTF-8')
    }
    return { kind: 'call', block: block(m), method, data: bytesField(m, 4) ?? new Uint8Array() }
  }
  const read = bytesField(f, 2)
  if (read) {
    const m = decodeFields(read)
    return { kind: 'read', block: block(m), keys: repeatedBytes(m, 3) }
  }
  const child = bytesField(f, 4)
  if (child) {
    const m = decodeFields(child)
    const childKey = bytesField(m, 3)
    if (!childKey) throw new ProtocolError('Malformed', 'child read without a storage key')
    return { kind: 'readChild', block: block(m), childKey, keys: repeatedBytes(m, 6) }
  }
  throw new ProtocolError('Unsupported', 'unsupported light request')
}

/**
 * Response to a call (field 1) or read (field 2) request: `proof` is a SCALE storage proof; without
 * one, the response says the block's state is unavailable.
 */
export function encodeLightResponse(kind: 'call' | 'read', proof: Uint8Array | undefined): Uint8Array {
  const inner = new ProtoWriter()
  if (proof !== undefined) inner.bytes(2, proof)
  return new ProtoWriter().bytes(kind === 'call' ? 1 : 2, inner.finish()).finish()
}

export function decodeLightResponse(b: Uint8Array): { kind: 'call' | 'read'; proof: Uint8Array | undefined } {
  const f = decodeFields(b)
  const call = bytesField(f, 1)
  if (call) return { kind: 'call', proof: bytesField(decodeFields(call), 2) }
  const read = bytesField(f, 2)
  if (read) return { kind: 'read', proof: bytesField(decodeFields(read), 2) }
  throw new ProtocolError('Malformed', 'light response without a call or read response')
}
