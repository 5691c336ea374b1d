// Signature verification that never throws: sr25519 (./sr25519.ts, Substrate's "substrate" signing
// context) and ed25519 (@noble/curves, ZIP-215 rules like Substrate's ed25519-zebra). The libraries
// throw on malformed encodings; for data from outside, a malformed signature is simply invalid.
// Where the host has a native Ed25519 (Node's OpenSSL), it is tried first: strict RFC 8032 validity
// implies ZIP-215 validity, so a native "valid" is final and only native rejections are re-checked
// with the ZIP-215 rules (measured 15x faster on GRANDPA justifications). Without one (browsers), a
// signature WebCrypto proved valid ahead of time (`preverifyEd25519`, ./ed25519-async.ts) is final the same way.

import { ed25519, ristretto255 } from '@noble/curves/ed25519.js'
import { Transcript } from './merlin.ts'
import { vrfVerify } from './vrf.ts'
import { publicPoint, sr25519Verify } from './sr25519.ts'
import { preverifyWithWebCrypto, provenValid, webCryptoMayHelp, type SignedMessage } from './ed25519-async.ts'

export { sr25519Verify, type SignedMessage }

type NativeCrypto = {
  createPublicKey(k: { key: Uint8Array; format: 'der'; type: 'spki' }): unknown
  createPrivateKey(k: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): unknown
  verify(alg: null, data: Uint8Array, key: unknown, sig: Uint8Array): boolean
  sign(alg: null, data: Uint8Array, key: unknown): Uint8Array
}
const native: NativeCrypto | undefined = await (async () => {
  try {
    if (typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string') return undefined
    return (await import('node:crypto')) as unknown as NativeCrypto
  } catch {
    return undefined
  }
})()
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])
const nativeKeys = new Map<string, unknown>()

function nativeEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!native) return false
  try {
    const id = String.fromCharCode(...publicKey)
    let key = nativeKeys.get(id)
    if (key === undefined) {
      const der = new Uint8Array(44)
      der.set(SPKI_PREFIX)
      der.set(publicKey, 12)
      key = native.createPublicKey({ key: der, format: 'der', type: 'spki' })
      if (nativeKeys.size > 10_000) nativeKeys.clear()
      nativeKeys.set(id, key)
    }
    return native.verify(null, message, key, signature)
  } catch {
    return false
  }
}

const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

/**
 * An ed25519 signer for a 32-byte seed (RFC 8032: deterministic, so the same signatures as
 * @noble/curves'): the host's native Ed25519 where there is one (Node's OpenSSL: no scalar
 * multiplication in JavaScript, no garbage), else @noble/curves. A node signs its GRANDPA votes with it.
 */
export function ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  if (seed.length !== 32) throw new RangeError('an ed25519 seed is 32 bytes')
  const fallback = (m: Uint8Array) => ed25519.sign(m, seed)
  if (!native) return fallback
  let key: unknown
  try {
    const der = new Uint8Array(48)
    der.set(PKCS8_PREFIX)
    der.set(seed, 16)
    key = native.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } catch {
    return fallback
  }
  return (m) => new Uint8Array(native.sign(null, m, key))
}

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  if (nativeEd25519(signature, message, publicKey)) return true
  if (provenValid(signature, message, publicKey)) return true
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true })
  } catch {
    return false
  }
}

/**
 * Where there is no synchronous native Ed25519 but WebCrypto has one (browsers), checks the signatures
 * `items()` lists with it ahead of time, so that `ed25519Verify` answers them without pure-JS arithmetic
 * (`./ed25519-async.ts`). Returns undefined when there is nothing to wait for — always under Node, without
 * even calling `items` — so callers stay synchronous then. Verdicts are the same with or without it.
 */
export function preverifyEd25519(items: () => readonly SignedMessage[]): Promise<void> | undefined {
  if (native || !webCryptoMayHelp()) return undefined
  return preverifyWithWebCrypto(items())
}

/**
 * sr25519 verification as sp-io's `sr25519_verify` version 1 does it (`verify_deprecated`): a signature
 * with schnorrkel's marker bit (byte 63, bit 7) is checked as usual; one without it is a pre-2019
 * schnorrkel 0.1 signature, whose challenge comes from a different transcript (`Transcript::new(ctx)`,
 * "sign-bytes", then "pk" and "no" commitments and an empty challenge label). Never throws.
 */
export function sr25519VerifyDeprecated(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  if (signature[63] & 0x80) return sr25519Verify(signature, message, publicKey)
  try {
    const A = publicPoint(publicKey)
    if (!A) return false
    const R = ristretto255.Point.fromBytes(signature.subarray(0, 32))
    const s = leScalar(signature.subarray(32, 64))
    if (s === undefined) return false
    const t = new Transcript('substrate')
    t.appendMessage('sign-bytes', message)
    t.appendMessage('proto-name', utf8Bytes('Schnorr-sig'))
    t.appendMessage('pk', publicKey)
    t.appendMessage('no', signature.subarray(0, 32))
    const k = leBigint(t.challengeBytes('', 64)) % L
    // R == s·B − k·A
    const expected = A.negate().multiplyUnsafe(k).add(ristretto255.Point.BASE.multiplyUnsafe(s))
    return expected.equals(R)
  } catch {
    return false
  }
}

const L = ristretto255.Point.Fn.ORDER
const utf8Bytes = (s: string) => new TextEncoder().encode(s)
function leBigint(b: Uint8Array): bigint {
  let v = 0n
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i])
  return v
}
/** A canonical scalar (< L) from 32 little-endian bytes, else undefined (schnorrkel's `check_scalar`). */
function leScalar(b: Uint8Array): bigint | undefined {
  const v = leBigint(b)
  return v < L ? v : undefined
}

/**
 * Warm-up steps for sr25519 and the VRF (results ignored): the first verification in a process costs
 * ~100 ms — curve tables, and the first run (compilation) of every function on its path — in one piece. A
 * client runs these steps one per event-loop turn at start (each a few tens of ms at most), so that no
 * big piece lands mid-sync.
 */
export const SR25519_WARM_UP: readonly (() => void)[] = (() => {
  const one = new Uint8Array(32)
  one[0] = 1
  const base = () => ristretto255.Point.BASE.toBytes()
  return [
    () => void ristretto255.Point.fromBytes(base()).multiplyUnsafe(3n),
    () => void ristretto255.Point.BASE.multiply(3n),
    () => void new Transcript('warm-up').appendMessage('a', one).challengeBytes('b', 64),
    () => {
      const signature = new Uint8Array(64)
      signature.set(base())
      signature.set(one, 32)
      signature[63] |= 0x80 // schnorrkel's marker: checked before the curve arithmetic
      sr25519Verify(signature, one, base())
    },
    () => void vrfVerify(base(), new Transcript('warm-up'), base(), new Uint8Array([...one, ...one])),
  ]
})()
