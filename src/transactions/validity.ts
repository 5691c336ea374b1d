// The runtime's transaction-validity API, as bytes (pure): the arguments of
// `TaggedTransactionQueue_validate_transaction` and the SCALE `TransactionValidity` it returns, with
// Substrate's messages for each error. Shared by the node's pool and the light client's transactions.

import { Reader, Writer } from '../codec/index.ts'

/** Where a transaction came from, as `TransactionSource` (its SCALE index). */
export const TX_SOURCE_IN_BLOCK = 0
export const TX_SOURCE_LOCAL = 1
export const TX_SOURCE_EXTERNAL = 2

export interface ValidTransaction {
  priority: bigint
  requires: Uint8Array[]
  provides: Uint8Array[]
  longevity: bigint
  propagate: boolean
}

export type TransactionValidity =
  | { ok: true; valid: ValidTransaction }
  | { ok: false; kind: 'invalid' | 'unknown'; variant: number; custom?: number; message: string }

const INVALID_MESSAGES = [
  'Transaction call is not expected',
  'Inability to pay some fees (e.g. account balance too low)',
  'Transaction will be valid in the future',
  'Transaction is outdated',
  'Transaction has a bad signature',
  'Transaction has an ancient birth block',
  'Transaction would exhaust the block limits',
  'InvalidTransaction custom error',
  'A call was labelled as mandatory, but resulted in an Error.',
  'Transaction dispatch is mandatory; transactions must not be validated.',
  'Invalid signing address',
  'The implicit data was unable to be calculated',
  'The transaction extension did not authorize any origin',
]
const UNKNOWN_MESSAGES = ['Could not lookup information required to validate the transaction', 'Could not find an unsigned validator for the unsigned transaction', 'UnknownTransaction custom error']

/** The SCALE `TransactionValidity` returned by the runtime; DecodeError on malformed output. */
export function decodeTransactionValidity(bytes: Uint8Array): TransactionValidity {
  const r = new Reader(bytes)
  let v: TransactionValidity
  const isOk = r.variant(2) === 0 // Result<ValidTransaction, TransactionValidityError>
  if (isOk) {
    v = { ok: true, valid: { priority: r.u64(), requires: r.vec((x) => x.vecU8()), provides: r.vec((x) => x.vecU8()), longevity: r.u64(), propagate: r.bool() } }
  } else if (r.variant(2) === 0) {
    // TransactionValidityError::Invalid(InvalidTransaction)
    const variant = r.variant(INVALID_MESSAGES.length)
    v = { ok: false, kind: 'invalid', variant, message: INVALID_MESSAGES[variant], ...(variant === 7 ? { custom: r.u8() } : {}) }
  } else {
    const variant = r.variant(UNKNOWN_MESSAGES.length)
    v = { ok: false, kind: 'unknown', variant, message: UNKNOWN_MESSAGES[variant], ...(variant === 2 ? { custom: r.u8() } : {}) }
  }
  r.finish()
  return v
}

/** Arguments of `TaggedTransactionQueue_validate_transaction` (API version 3: source, tx, block hash; version 2: no hash). */
export function validateTransactionArgs(source: number, tx: Uint8Array, blockHash: Uint8Array, apiVersion = 3): Uint8Array {
  const w = new Writer(tx.length + 33).u8(source).bytes(tx)
  if (apiVersion >= 3) w.bytes(blockHash)
  return w.finish()
}

