// sr25519 VRF verification as Schnorrkel does it (w3f/schnorrkel `vrf.rs`, the Kusama-compatible DLEQ
// ordering that Substrate uses), on ristretto255 from @noble/curves, plus `makeBytes` (the VRF output
// derivation BABE uses for its threshold score). Pure functions; invalid encodings verify as false.

import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js'
import { Transcript } from './merlin.ts'

const Point = ristretto255.Point
type RPoint = InstanceType<typeof Point>
const L = Point.Fn.ORDER

function leToBigint(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i])
  return v
}

function decodePoint(b: Uint8Array): RPoint | undefined {
  try {
    return Point.fromBytes(b)
  } catch {
    return undefined
  }
}

/** Canonical scalar (< L) from 32 little-endian bytes, or undefined. */
function canonicalScalar(b: Uint8Array): bigint | undefined {
  const v = leToBigint(b)
  return v < L ? v : undefined
}

function challengeScalar(t: Transcript, label: string): bigint {
  return leToBigint(t.challengeBytes(label, 64)) % L
}

/** The VRF input point: `t` bound to the public key, hashed to ristretto255. */
export function vrfInputPoint(publicKey: Uint8Array, t: Transcript): RPoint {
  const tt = t.clone()
  tt.appendMessage('vrf-nm-pk', publicKey)
  return ristretto255_hasher.deriveToCurve!(tt.challengeBytes('VRFHash', 64)) as unknown as RPoint
}

/**
 * Verifies a VRF pre-output (32 bytes) and proof (c ++ s, 64 bytes) for `publicKey` over transcript `t`
 * (`extra` defaults to Schnorrkel's `Transcript::new(b"VRF")`). Never throws on bad data.
 */
export function vrfVerify(publicKey: Uint8Array, t: Transcript, preOutput: Uint8Array, proof: Uint8Array, extra?: Transcript): boolean {
  if (publicKey.length !== 32 || preOutput.length !== 32 || proof.length !== 64) return false
  const pk = decodePoint(publicKey)
  const output = decodePoint(preOutput)
  const c = canonicalScalar(proof.subarray(0, 32))
  const s = canonicalScalar(proof.subarray(32, 64))
  if (!pk || !output || c === undefined || s === undefined) return false
  const input = vrfInputPoint(publicKey, t)
  const e = extra ? extra.clone() : new Transcript('VRF')
  e.appendMessage('proto-name', new TextEncoder().encode('DLEQProof'))
  e.appendMessage('vrf:h', input.toBytes())
  // R = c·PK + s·B and Hr = c·output + s·input (what the prover committed to)
  const R = pk.multiplyUnsafe(c).add(Point.BASE.multiplyUnsafe(s))
  e.appendMessage('vrf:R=g^r', R.toBytes())
  const Hr = output.multiplyUnsafe(c).add(input.multiplyUnsafe(s))
  e.appendMessage('vrf:h^r', Hr.toBytes())
  e.appendMessage('vrf:pk', publicKey)
  e.appendMessage('vrf:h^sk', preOutput)
  return challengeScalar(e, 'prove') === c
}

/** Schnorrkel `VRFInOut::make_bytes(context)`: output bytes derived from the VRF input and pre-output. */
export function vrfMakeBytes(publicKey: Uint8Array, t: Transcript, preOutput: Uint8Array, context: Uint8Array, length: number): Uint8Array {
  const input = vrfInputPoint(publicKey, t)
  const r = new Transcript('VRFResult')
  r.appendMessage('', context)
  r.appendMessage('vrf-in', input.toBytes())
  r.appendMessage('vrf-out', preOutput)
  return r.challengeBytes('', length)
}
