// `/<genesis>/transactions/1`: after the one-byte roles handshake, each notification is a SCALE
// `Vec<Extrinsic>`. An extrinsic encodes itself with its own compact length prefix, so every item is a
// compact length followed by that many bytes; we keep each item whole (prefix included), which is the
// form the runtime's `TaggedTransactionQueue_validate_transaction` and block bodies take.

import { DecodeError, Reader, Writer } from '../../codec/index.ts'
import { ProtocolError } from './errors.ts'

/** At most this many transactions in one notification (Substrate sends them in small batches). */
export const MAX_TRANSACTIONS_PER_MESSAGE = 1024

export function encodeTransactions(txs: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(txs.reduce((s, t) => s + t.length, 5)).compact(txs.length)
  for (const t of txs) w.bytes(t)
  return w.finish()
}

/** Decodes a transactions notification into whole extrinsics (length prefix kept). */
export function decodeTransactions(b: Uint8Array): Uint8Array[] {
  try {
    const r = new Reader(b)
    const n = r.compactNumber(MAX_TRANSACTIONS_PER_MESSAGE)
    const out: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const start = r.pos
      r.bytes_(r.compactNumber())
      out.push(b.slice(start, r.pos))
    }
    r.finish()
    return out
  } catch (e) {
    if (e instanceof DecodeError) throw new ProtocolError('Malformed', `bad transactions notification: ${e.message}`)
    throw e
  }
}
