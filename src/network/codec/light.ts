// `/<genesis>/light/2` (sc-network-light schema light.v1.proto): RemoteCallRequest, RemoteReadRequest,
// RemoteReadChildRequest and the proof responses (SCALE-encoded storage proofs).
//
// A child read names its trie on the wire by the *prefixed* storage key
// (`:child_storage:default:` ++ child key, Substrate's `PrefixedStorageKey`); in `LightRequest` it is
// the bare child key: the encoder adds the prefix and the decoder strips it. A key with another prefix
// names no child trie Substrate knows: it decodes as `childKey: undefined` (the server answers it
// without a proof, as Substrate does), not as misbehaviour.

import { concatBytes, fromUtf8, startsWith, utf8 } from '../../codec/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX } from '../../trie/index.ts'
import { ProtocolError } from './errors.ts'
import { ProtoWriter, bytesField, decodeFields, repeatedBytes } from './protobuf.ts'

export type LightRequest =
  | { kind: 'call'; block: Uint8Array; method: string; data: Uint8Array }
  | { kind: 'read'; block: Uint8Array; keys: Uint8Array[] }
  /** `childKey` without the `:child_storage:default:` prefix; undefined when the peer named another kind of trie. */
  | { kind: 'readChild'; block: Uint8Array; childKey: Uint8Array | undefined; keys: Uint8Array[] }

export function encodeLightRequest(r: LightRequest): Uint8Array {
  if (r.kind === 'call') return new ProtoWriter().bytes(1, new ProtoWriter().bytes(2, r.block).bytes(3, utf8(r.method)).bytes(4, r.data).finish()).finish()
  if (r.kind === 'read') {
    const inner = new ProtoWriter().bytes(2, r.block)
    for (const k of r.keys) inner.bytes(3, k)
    return new ProtoWriter().bytes(2, inner.finish()).finish()
  }
  if (r.childKey === undefined) throw new TypeError('a child read needs a child key')
  const inner = new ProtoWriter().bytes(2, r.block).bytes(3, concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, r.childKey))
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
    const prefixed = bytesField(m, 3)
    if (!prefixed) throw new ProtocolError('Malformed', 'child read without a storage key')
    const childKey = startsWith(prefixed, CHILD_STORAGE_DEFAULT_PREFIX) ? prefixed.slice(CHILD_STORAGE_DEFAULT_PREFIX.length) : undefined
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

/**
 * A light/2 response: its proof, or undefined when the peer has none. An empty `Response{}` (no field at
 * all) is how Substrate nodes before 2023 answered a request they could not serve: no proof, not malformed.
 */
export function decodeLightResponse(b: Uint8Array): { kind: 'call' | 'read' | 'none'; proof: Uint8Array | undefined } {
  if (b.length === 0) return { kind: 'none', proof: undefined }
  const f = decodeFields(b)
  const call = bytesField(f, 1)
  if (call) return { kind: 'call', proof: bytesField(decodeFields(call), 2) }
  const read = bytesField(f, 2)
  if (read) return { kind: 'read', proof: bytesField(decodeFields(read), 2) }
  throw new ProtocolError('Malformed', 'light response without a call or read response')
}
