// sr25519 VRF signing and verification as Schnorrkel does them (w3f/schnorrkel `vrf.rs`, the
// Kusama-compatible DLEQ ordering that Substrate uses), on ristretto255 from @noble/curves, over any
// Merlin transcript (BABE's is not the signing-context transcript @scure/sr25519's `vrf` takes, which
// is why these are ours), plus `makeBytes` (the VRF output derivation BABE uses for its threshold
// score). Pure functions; invalid encodings verify as false.

import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { Transcript } from './merlin.ts'
import { combinationBytes, publicPoint } from './sr25519.ts'

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
function vrfInputPoint(publicKey: Uint8Array, t: Transcript): RPoint {
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
  const pk = publicPoint(publicKey)
  const output = decodePoint(preOutput)
  const c = canonicalScalar(proof.subarray(0, 32))
  const s = canonicalScalar(proof.subarray(32, 64))
  if (!pk || !output || c === undefined || s === undefined) return false
  const input = vrfInputPoint(publicKey, t)
  const e = extra ? extra.clone() : new Transcript('VRF')
  e.appendMessage('proto-name', new TextEncoder().encode('DLEQProof'))
  e.appendMessage('vrf:h', input.toBytes())
  // R = c·PK + s·B and Hr = c·output + s·input (what the prover committed to), computed in WebAssembly
  e.appendMessage('vrf:R=g^r', combinationBytes(pk, c, Point.BASE, s))
  e.appendMessage('vrf:h^r', combinationBytes(output, c, input, s))
  e.appendMessage('vrf:pk', publicKey)
  e.appendMessage('vrf:h^sk', preOutput)
  return challengeScalar(e, 'prove') === c
}

function scalarBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(32)
  for (let i = 0; i < 32; i++, v >>= 8n) b[i] = Number(v & 0xffn)
  return b
}

/**
 * Signs transcript `t` with a 64-byte sr25519 secret (@scure/sr25519's layout: the key scalar times the
 * cofactor, little-endian, then the nonce): the pre-output (32 bytes) and the DLEQ proof (c ++ s).
 * The proof's witness comes from the secret nonce, `random` and the transcript, so it never repeats.
 */
export function vrfSign(secret: Uint8Array, t: Transcript, random: Uint8Array = crypto.getRandomValues(new Uint8Array(32)), extra?: Transcript): { preOutput: Uint8Array; proof: Uint8Array } {
  if (secret.length !== 64) throw new TypeError('an sr25519 secret is 64 bytes')
  const sk = (leToBigint(secret.subarray(0, 32)) >> 3n) % L
  const publicKey = Point.BASE.multiply(sk).toBytes()
  const input = vrfInputPoint(publicKey, t)
  const preOutput = input.multiply(sk).toBytes()
  const e = extra ? extra.clone() : new Transcript('VRF')
  e.appendMessage('proto-name', new TextEncoder().encode('DLEQProof'))
  e.appendMessage('vrf:h', input.toBytes())
  const witness = new Uint8Array([...secret.subarray(32, 64), ...random, ...e.clone().challengeBytes('witness', 32)])
  const r = leToBigint(sha512(witness)) % L || 1n
  e.appendMessage('vrf:R=g^r', Point.BASE.multiply(r).toBytes())
  e.appendMessage('vrf:h^r', input.multiply(r).toBytes())
  e.appendMessage('vrf:pk', publicKey)
  e.appendMessage('vrf:h^sk', preOutput)
  const c = challengeScalar(e, 'prove')
  const s = (((r - c * sk) % L) + L) % L
  return { preOutput, proof: new Uint8Array([...scalarBytes(c), ...scalarBytes(s)]) }
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
