// An in-memory keystore for the runtime's `ext_crypto_*_{public_keys,generate,sign}` host functions
// (the full node signs blocks and votes with it). Keys are grouped by 4-byte key type id. Signing
// uses @scure/sr25519 (sr25519), @noble/curves (ed25519, secp256k1 ECDSA over blake2-256).

import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as sr25519 from '@scure/sr25519'
import { toHex, fromHex } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'

export type KeyScheme = 'sr25519' | 'ed25519' | 'ecdsa'

/** ECDSA signature in Substrate's layout: r (32) ++ s (32) ++ recovery id (1). */
export function ecdsaSignPrehashed(secret: Uint8Array, hash: Uint8Array): Uint8Array {
  const rec = secp256k1.sign(hash, secret, { prehash: false, format: 'recovered' }) // [v, r, s]
  const out = new Uint8Array(65)
  out.set(rec.subarray(1), 0)
  out[64] = rec[0]
  return out
}

export class Keystore {
  private readonly keys = new Map<string, Map<string, { scheme: KeyScheme; secret: Uint8Array }>>()

  /** Adds a key from a 32-byte seed (sr25519 mini secret, ed25519 seed, or secp256k1 secret); returns its public key. */
  insert(keyType: Uint8Array, scheme: KeyScheme, seed: Uint8Array): Uint8Array {
    if (keyType.length !== 4) throw new RangeError('key type id must be 4 bytes')
    if (seed.length !== 32) throw new RangeError('seed must be 32 bytes')
    let secret: Uint8Array
    let pub: Uint8Array
    if (scheme === 'sr25519') {
      secret = sr25519.secretFromSeed(seed)
      pub = sr25519.getPublicKey(secret)
    } else if (scheme === 'ed25519') {
      secret = seed
      pub = ed25519.getPublicKey(seed)
    } else {
      secret = seed
      pub = secp256k1.getPublicKey(seed, true)
    }
    const kt = toHex(keyType)
    if (!this.keys.has(kt)) this.keys.set(kt, new Map())
    this.keys.get(kt)!.set(`${scheme}:${toHex(pub)}`, { scheme, secret })
    return pub
  }

  /** Adds a key already derived (e.g. from a secret URI): `secret` as `insert` would have made it. */
  insertPair(keyType: Uint8Array, scheme: KeyScheme, secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
    if (keyType.length !== 4) throw new RangeError('key type id must be 4 bytes')
    const kt = toHex(keyType)
    if (!this.keys.has(kt)) this.keys.set(kt, new Map())
    this.keys.get(kt)!.set(`${scheme}:${toHex(publicKey)}`, { scheme, secret })
    return publicKey
  }

  publicKeys(keyType: Uint8Array, scheme: KeyScheme): Uint8Array[] {
    const m = this.keys.get(toHex(keyType))
    if (!m) return []
    return [...m.entries()].filter(([, v]) => v.scheme === scheme).map(([k]) => fromHex(k.slice(scheme.length + 1)))
  }

  /** Signs with the key `publicKey` of that type and scheme; undefined when the keystore lacks it. */
  sign(keyType: Uint8Array, scheme: KeyScheme, publicKey: Uint8Array, message: Uint8Array, prehashed = false): Uint8Array | undefined {
    const k = this.keys.get(toHex(keyType))?.get(`${scheme}:${toHex(publicKey)}`)
    if (!k) return undefined
    if (scheme === 'sr25519') return sr25519.sign(k.secret, message)
    if (scheme === 'ed25519') return ed25519.sign(message, k.secret)
    return ecdsaSignPrehashed(k.secret, prehashed ? message : blake2_256(message))
  }
}
