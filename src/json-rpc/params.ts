// Parameter readers shared by the JSON-RPC method families (node and light client): hex at the edge,
// bytes inside; a malformed parameter is a -32602 error naming it. Plus the spec's runtime description.

import { HexError, fromHex, toHex } from '../codec/index.ts'
import { Ss58Error, decodeSs58 } from '../crypto/index.ts'
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

/** A transaction (extrinsic) parameter: non-empty hex. */
export function txParam(v: unknown): Uint8Array {
  const b = bytesParam(v, 'extrinsic')
  if (b.length === 0) throw new RpcError(INVALID_PARAMS, 'the extrinsic is empty')
  return b
}

/** An account as an SS58 address or 32-byte hex. */
export function accountParam(v: unknown): Uint8Array {
  if (typeof v !== 'string') throw new RpcError(INVALID_PARAMS, 'the account must be an SS58 address or hex')
  if (v.startsWith('0x')) {
    const b = bytesParam(v, 'account')
    if (b.length !== 32) throw new RpcError(INVALID_PARAMS, 'an account id is 32 bytes')
    return b
  }
  try {
    return decodeSs58(v).account
  } catch (e) {
    if (e instanceof Ss58Error) throw new RpcError(INVALID_PARAMS, `account: ${e.message}`)
    throw e
  }
}
