// Extrinsics a devnet node signs itself (session key rotation, tests): version-4 signed extrinsics
// in the format of FRAME's standard signed extensions — an immortal era, the nonce and a zero tip as
// the extra, then spec version, transaction version, genesis hash and era block (genesis) as the
// additional signed data — with an sr25519 key and `MultiAddress::Id`. A runtime whose extensions
// differ from that set is refused with a clear error rather than sent a transaction it would reject.
// Nonce and versions come from runtime calls on the given state. Pure.

import { Reader, Writer, concatBytes } from '../codec/index.ts'
import { blake2_256, type DevKeypair } from '../crypto/index.ts'
import type { StorageBackend } from '../executor/index.ts'
import { decodeMetadata, type RuntimeMetadata } from '../metadata/index.ts'
import { runtimeAt } from './runtime-apis.ts'

/** Signed extensions whose extra and additional data this module knows how to fill. */
const KNOWN_EXTENSIONS: Record<string, { extra: 'none' | 'era' | 'nonce' | 'tip' | 'mode'; additional: 'none' | 'spec' | 'tx' | 'genesis' | 'era' | 'metadataHash' }> = {
  CheckNonZeroSender: { extra: 'none', additional: 'none' },
  CheckSpecVersion: { extra: 'none', additional: 'spec' },
  CheckTxVersion: { extra: 'none', additional: 'tx' },
  CheckGenesis: { extra: 'none', additional: 'genesis' },
  CheckMortality: { extra: 'era', additional: 'era' },
  CheckEra: { extra: 'era', additional: 'era' },
  CheckNonce: { extra: 'nonce', additional: 'none' },
  CheckWeight: { extra: 'none', additional: 'none' },
  ChargeTransactionPayment: { extra: 'tip', additional: 'none' },
  // Polkadot's claims pallet: no data
  PrevalidateAttests: { extra: 'none', additional: 'none' },
  // metadata-hash checking, off: mode Disabled (0), no hash (None) in the signed data
  CheckMetadataHash: { extra: 'mode', additional: 'metadataHash' },
  // Cumulus' proof-size reclaim: no data
  StorageWeightReclaim: { extra: 'none', additional: 'none' },
}

export class DevExtrinsicError extends Error {
  override readonly name = 'DevExtrinsicError'
}

/** What signing needs from the chain at a block: metadata and versions. */
export interface SigningContext {
  metadata: RuntimeMetadata
  specVersion: number
  transactionVersion: number
  genesisHash: Uint8Array
}

/** The signing context of the runtime in `state` (Metadata_metadata and Core_version). */
export function signingContext(state: StorageBackend, genesisHash: Uint8Array): SigningContext {
  const rt = runtimeAt(state)
  const metadata = decodeMetadata(rt.call('Metadata_metadata', new Uint8Array(), { storage: state }).output)
  checkExtensions(metadata)
  const v = new Reader(rt.call('Core_version', new Uint8Array(), { storage: state }).output)
  v.str()
  v.str()
  v.u32()
  const specVersion = v.u32()
  v.u32()
  v.vec((r) => {
    r.bytes_(8)
    r.u32()
  })
  return { metadata, specVersion, transactionVersion: v.u32(), genesisHash }
}

function checkExtensions(metadata: RuntimeMetadata): void {
  const unknown = metadata.signedExtensions.filter((e) => !Object.hasOwn(KNOWN_EXTENSIONS, e))
  if (unknown.length) throw new DevExtrinsicError(`the runtime's transactions carry signed extensions this node cannot fill: ${unknown.join(', ')}`)
  if (metadata.extrinsicVersion !== 4) throw new DevExtrinsicError(`extrinsic format version ${metadata.extrinsicVersion} (this node signs version 4)`)
}

/** The next nonce of `account` at `state` (`AccountNonceApi_account_nonce`). */
export function accountNonce(state: StorageBackend, account: Uint8Array): number {
  return new Reader(runtimeAt(state).call('AccountNonceApi_account_nonce', account, { storage: state }).output).u32()
}

/** A signed, immortal, tip-free extrinsic (with its compact length prefix, as block bodies hold it). */
export function signedExtrinsic(ctx: SigningContext, signer: DevKeypair, nonce: number, call: Uint8Array): Uint8Array {
  checkExtensions(ctx.metadata)
  const extra = new Writer()
  const additional = new Writer()
  for (const id of ctx.metadata.signedExtensions) {
    const k = KNOWN_EXTENSIONS[id]
    if (k.extra === 'era') extra.u8(0)
    else if (k.extra === 'nonce') extra.compact(nonce)
    else if (k.extra === 'tip') extra.compact(0)
    else if (k.extra === 'mode') extra.u8(0)
    if (k.additional === 'spec') additional.u32(ctx.specVersion)
    else if (k.additional === 'tx') additional.u32(ctx.transactionVersion)
    else if (k.additional === 'genesis' || k.additional === 'era') additional.bytes(ctx.genesisHash)
    else if (k.additional === 'metadataHash') additional.u8(0)
  }
  const extraBytes = extra.finish()
  const payload = concatBytes(call, extraBytes, additional.finish())
  const signature = signer.sign(payload.length > 256 ? blake2_256(payload) : payload)
  const body = new Writer(call.length + 128)
    .u8(0x84)
    .u8(0)
    .bytes(signer.publicKey)
    .u8(1) // MultiSignature::Sr25519
    .bytes(signature)
    .bytes(extraBytes)
    .bytes(call)
    .finish()
  return new Writer(body.length + 5).vecU8(body).finish()
}
