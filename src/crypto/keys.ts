// Substrate secret URIs ("SURIs") for development keys: a BIP39 phrase (default: the standard dev
// phrase) turned into a mini secret as substrate-bip39 does (PBKDF2-HMAC-SHA512 over the entropy,
// salt "mnemonic" + password, 2048 rounds, first 32 bytes), then hard junctions (`//Alice`): sr25519 by
// Schnorrkel's hard derivation (@scure/sr25519), ed25519 by blake2_256(("Ed25519HDKD", seed, chain
// code)). Soft junctions (`/x`) are supported for sr25519 only, as in Substrate.

import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as sr25519 from '@scure/sr25519'
import { mnemonicToEntropy, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { Writer, concatBytes, fromHex, utf8 } from '../codec/index.ts'
import { blake2_256 } from './hashing.ts'
import { ed25519Signer } from './signatures.ts'

export const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk'

export class KeyUriError extends Error {
  override readonly name = 'KeyUriError'
}

export interface Junction {
  hard: boolean
  chainCode: Uint8Array
}

/** A junction's chain code: its SCALE encoding (numbers as u64, else the string), padded/hashed to 32 bytes. */
function chainCode(part: string): Uint8Array {
  const enc = /^\d+$/.test(part) ? new Writer(8).u64(BigInt(part)).finish() : new Writer(part.length + 4).str(part).finish()
  if (enc.length > 32) return blake2_256(enc)
  const cc = new Uint8Array(32)
  cc.set(enc)
  return cc
}

/** Splits a SURI into phrase (or 0x seed), junctions and password. */
export function parseSuri(suri: string): { phrase: string; junctions: Junction[]; password: string } {
  const m = /^([^/]*)((?:\/\/?[^/]+)*)(?:\/\/\/(.*))?$/.exec(suri)
  if (!m) throw new KeyUriError(`invalid secret URI`)
  const phrase = m[1].trim() === '' ? DEV_PHRASE : m[1].trim()
  const junctions: Junction[] = []
  for (const j of m[2].matchAll(/(\/\/?)([^/]+)/g)) junctions.push({ hard: j[1] === '//', chainCode: chainCode(j[2]) })
  return { phrase, junctions, password: m[3] ?? '' }
}

/** substrate-bip39 `mini_secret_from_entropy`, or a 0x-hex 32-byte seed used as is. */
export function miniSecret(phrase: string, password = ''): Uint8Array {
  if (phrase.startsWith('0x')) {
    const seed = fromHex(phrase)
    if (seed.length !== 32) throw new KeyUriError('hex seed must be 32 bytes')
    return seed
  }
  if (!validateMnemonic(phrase, wordlist)) throw new KeyUriError('invalid BIP39 phrase')
  const entropy = mnemonicToEntropy(phrase, wordlist)
  return pbkdf2(sha512, entropy, utf8(`mnemonic${password}`), { c: 2048, dkLen: 64 }).subarray(0, 32)
}

export interface DevKeypair {
  publicKey: Uint8Array
  /** sr25519: the 64-byte expanded secret; ed25519: the 32-byte seed. */
  secret: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

/** An sr25519 keypair from a SURI such as `//Alice` (dev phrase) or `<phrase>//hard/soft`. */
export function sr25519FromSuri(suri: string): DevKeypair {
  const { phrase, junctions, password } = parseSuri(suri)
  let secret: Uint8Array = sr25519.secretFromSeed(miniSecret(phrase, password))
  for (const j of junctions) secret = j.hard ? sr25519.HDKD.secretHard(secret, j.chainCode) : sr25519.HDKD.secretSoft(secret, j.chainCode)
  const publicKey = sr25519.getPublicKey(secret)
  return { publicKey, secret, sign: (m) => sr25519.sign(secret, m) }
}

/** The 32-byte seed of a scheme with hard derivation only: blake2_256(SCALE(label, seed, chain code)) per junction. */
function hardDerivedSeed(suri: string, scheme: string, label: string): Uint8Array {
  const { phrase, junctions, password } = parseSuri(suri)
  let seed = miniSecret(phrase, password)
  for (const j of junctions) {
    if (!j.hard) throw new KeyUriError(`${scheme} supports hard junctions only`)
    seed = blake2_256(concatBytes(new Writer(16).str(label).finish(), seed, j.chainCode))
  }
  return seed
}

/** An ed25519 keypair from a SURI (hard junctions only, as Substrate). */
export function ed25519FromSuri(suri: string): DevKeypair {
  const s = hardDerivedSeed(suri, 'ed25519', 'Ed25519HDKD')
  return { publicKey: ed25519.getPublicKey(s), secret: s, sign: ed25519Signer(s) }
}

/** A secp256k1 ECDSA keypair from a SURI (hard junctions only, derived as Substrate's `ecdsa::Pair`). */
export function ecdsaFromSuri(suri: string): DevKeypair {
  const s = hardDerivedSeed(suri, 'ecdsa', 'Secp256k1HDKD')
  const sign = (m: Uint8Array) => {
    const rec = secp256k1.sign(blake2_256(m), s, { prehash: false, format: 'recovered' }) // [v, r, s]
    return concatBytes(rec.subarray(1), rec.subarray(0, 1)) // Substrate's layout: r ++ s ++ v
  }
  return { publicKey: secp256k1.getPublicKey(s, true), secret: s, sign }
}
