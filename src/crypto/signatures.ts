// Signature verification that never throws: sr25519 (@scure/sr25519, Substrate's "substrate" signing
// context) and ed25519 (@noble/curves, ZIP-215 rules like Substrate's ed25519-zebra). The libraries
// throw on malformed encodings; for data from outside, a malformed signature is simply invalid.

import { ed25519 } from '@noble/curves/ed25519.js'
import * as sr25519 from '@scure/sr25519'

export function sr25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  try {
    return sr25519.verify(message, signature, publicKey)
  } catch {
    return false
  }
}

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true })
  } catch {
    return false
  }
}
