// Session key rotation for a devnet: makes every session change a GRANDPA set change. On a relay chain
// (pallet_session + pallet_grandpa), GRANDPA schedules a new set only when the session pallet says the
// validator set "changed" — which happens at an era change or when a validator's queued keys differ
// from its current ones. So once per session, for each validator whose controller key we hold, the node
// signs `Session.set_keys` with the same keys except the GRANDPA one, alternated between two ed25519 keys
// it holds (`<suri>` and `<suri>//grandpa-rotation`). The rule is stateless: rotate when the validator's
// next keys equal its queued keys (nothing pending), so each session gets exactly one rotation, and two
// sessions later every rotation is a set change. Reads state through runtime calls and storage. Pure.

import { Writer, bytesEqual, concatBytes, decodeAll, encodeCompact } from '../codec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, storageKey, type DevKeypair } from '../crypto/index.ts'
import type { StorageBackend } from '../executor/index.ts'
import { callIndex } from '../metadata/index.ts'
import { accountNonce, signedExtrinsic, type SigningContext } from './dev-extrinsics.ts'
import { runtimeAt } from './runtime-apis.ts'

const GRANDPA_KEY_TYPE = 'gran'

/** A secret URI whose validator's GRANDPA key is rotated, with its sr25519 key (derived once: it signs). */
export interface RotationSigner {
  suri: string
  key: DevKeypair
}

export const rotationSigners = (suris: readonly string[]): RotationSigner[] => suris.map((suri) => ({ suri, key: sr25519FromSuri(suri) }))

/** The two GRANDPA keys the node alternates between for each of its secret URIs. */
export function rotationGrandpaKeys(suris: readonly string[]): DevKeypair[] {
  return suris.flatMap((s) => [ed25519FromSuri(s), ed25519FromSuri(`${s}//grandpa-rotation`)])
}

/** A validator's session keys, split into typed parts by the runtime (`SessionKeys_decode_session_keys`). */
function decodeSessionKeys(state: StorageBackend, keys: Uint8Array): { key: Uint8Array; type: string }[] {
  const out = runtimeAt(state).call('SessionKeys_decode_session_keys', concatBytes(encodeCompact(keys.length), keys), { storage: state }).output
  const parts = decodeAll(out, (r) => r.option((x) => x.vec((y) => ({ key: y.vecU8(), type: new TextDecoder().decode(y.bytes_(4)) }))))
  if (!parts) throw new Error('the runtime cannot decode its own session keys')
  return parts
}

/**
 * The `Session.set_keys` extrinsics the node should include in a block built on `state` (one per
 * validator it controls whose keys have no change pending), or none.
 */
export function sessionKeyRotations(state: StorageBackend, ctx: SigningContext, signers: readonly RotationSigner[]): Uint8Array[] {
  const validatorsRaw = state.get(storageKey('Session', 'Validators'))
  const queuedRaw = state.get(storageKey('Session', 'QueuedKeys'))
  if (!validatorsRaw || !queuedRaw) return []
  const validators = decodeAll(validatorsRaw, (r) => r.vec((x) => x.bytes_(32)))
  // (validator, keys) pairs; every validator's keys have the same length, known from the first NextKeys
  let queuedKeys: { who: Uint8Array; keys: Uint8Array }[] | undefined
  const out: Uint8Array[] = []
  for (const stash of validators) {
    // the controller signs set_keys (without Staking, the validator account itself)
    const controller = state.get(storageKey('Staking', 'Bonded', ['Twox64Concat', stash])) ?? stash
    const signer = signers.find((s) => bytesEqual(s.key.publicKey, controller))
    if (!signer) continue
    const next = state.get(storageKey('Session', 'NextKeys', ['Twox64Concat', stash]))
    if (!next) continue
    queuedKeys ??= decodeAll(queuedRaw, (r) => r.vec((x) => ({ who: x.bytes_(32), keys: x.bytes_(next.length) })))
    const queued = queuedKeys.find((q) => bytesEqual(q.who, stash))
    if (!queued || !bytesEqual(queued.keys, next)) continue
    const parts = decodeSessionKeys(state, next)
    const gran = parts.find((p) => p.type === GRANDPA_KEY_TYPE)
    if (!gran) continue
    const [a, b] = rotationGrandpaKeys([signer.suri])
    const replacement = bytesEqual(gran.key, a.publicKey) ? b : a
    // SessionKeys encode as their keys one after the other, in the decoded order
    const keys = concatBytes(...parts.map((p) => (p.type === GRANDPA_KEY_TYPE ? replacement.publicKey : p.key)))
    if (keys.length !== next.length) continue
    const call = new Writer()
      .bytes(new Uint8Array(callIndex(ctx.metadata, 'Session', 'set_keys')))
      .bytes(keys)
      .vecU8(new Uint8Array()) // ownership proof: unchecked by FRAME's OpaqueKeys
      .finish()
    out.push(signedExtrinsic(ctx, signer.key, accountNonce(state, signer.key.publicKey), call))
  }
  return out
}

