// Parameter readers shared by the JSON-RPC method families (node and light client): hex at the edge,
// bytes inside; a malformed parameter is a -32602 error naming it. Plus the spec's runtime description.

import { HexError, fromHex, toHex } from '../codec/index.ts'
import type { RuntimeVersion } from '../executor/index.ts'
import { INVALID_PARAMS, RpcError } from './dispatcher.ts'

/** A 32-byte block hash parameter. */
export function hashParam(v: unknown): Uint8Array {
  const b = bytesParam(v, 'block hash')
  if (b.length !== 32) throw new RpcError(INVALID_PARAMS, 'block hash must be 32 bytes')
  return b
}

/** A hex bytes parameter named `name` in errors. */
export function bytesParam(v: unknown, name: string): Uint8Array {
  if (typeof v !== 'string') throw new RpcError(INVALID_PARAMS, `${name} must be a hex string`)
  try {
    return fromHex(v)
  } catch (e) {
    if (e instanceof HexError) throw new RpcError(INVALID_PARAMS, `${name}: ${e.message}`)
    throw e
  }
}

/** The new spec's `RuntimeSpec` JSON of a runtime version (`newRuntime`, `finalizedBlockRuntime`). */
export function runtimeSpecJson(v: RuntimeVersion) {
  return {
    type: 'valid',
    spec: {
      specName: v.specName,
      implName: v.implName,
      specVersion: v.specVersion,
      implVersion: v.implVersion,
      ...(v.transactionVersion !== undefined ? { transactionVersion: v.transactionVersion } : {}),
      apis: Object.fromEntries(v.apis.map(([id, n]) => [toHex(id), n])),
    },
  }
}
