// A local network's chain spec: a raw chain spec rewritten so that its genesis authorities are N dev
// validators, one key each, and nothing else changes (`sublight chain-spec validators`, `sublight
// testnet`). Validators are Substrate's well-known dev accounts (Alice, Bob, Charlie, Dave, Eve, Ferdie),
// then `//Validator7`, `//Validator8`, …; each authors with its sr25519 key and votes with its ed25519
// key derived from the same URI, as `sublight dev --key <uri>` does. What is rewritten, in the raw
// genesis storage: Aura's authorities (`Aura::Authorities`), GRANDPA's (`:grandpa_authorities`,
// version 1, weight 1 each, and `Grandpa::Authorities` where the pallet has it). BABE chains also hold
// their validators in session and staking storage; they are refused with a clear error for now. Pure
// (JSON in, JSON out).

import { Writer, toHex, utf8 } from '../codec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, storagePrefix } from '../crypto/index.ts'
import { ChainSpecError } from './errors.ts'

/** Substrate's well-known development accounts, the first validators of a local network. */
export const DEV_VALIDATORS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const

/** Most validators a derived spec holds (a local network runs one process per validator). */
export const MAX_VALIDATORS = 64

/** The secret URIs of `n` dev validators: `//Alice` … `//Ferdie`, then `//Validator7` … */
export function validatorSuris(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_VALIDATORS) throw new RangeError(`${n} validators: 1 to ${MAX_VALIDATORS}`)
  return Array.from({ length: n }, (_, i) => `//${DEV_VALIDATORS[i] ?? `Validator${i + 1}`}`)
}

const hexKey = (b: Uint8Array) => toHex(b)
const AURA_AUTHORITIES = hexKey(storagePrefix('Aura', 'Authorities'))
const BABE_AUTHORITIES = hexKey(storagePrefix('Babe', 'Authorities'))
const GRANDPA_WELL_KNOWN = hexKey(utf8(':grandpa_authorities'))
const GRANDPA_AUTHORITIES = hexKey(storagePrefix('Grandpa', 'Authorities'))

/**
 * `spec` (the parsed JSON of a raw chain spec) with `suris` as its Aura and GRANDPA authorities, in that
 * order. Throws ChainSpecError for a spec without raw genesis, without Aura or GRANDPA authorities, or
 * with BABE.
 */
export function withValidators(spec: unknown, suris: readonly string[]): Record<string, unknown> {
  const s = spec as { genesis?: { raw?: { top?: Record<string, string> } } }
  const top = s?.genesis?.raw?.top
  if (!top || typeof top !== 'object') throw new ChainSpecError('MissingField', 'genesis.raw.top', 'a local network is derived from a raw chain spec (genesis storage as key-value pairs)')
  const has = (k: string) => Object.keys(top).some((x) => x.toLowerCase() === k)
  if (has(BABE_AUTHORITIES)) throw new ChainSpecError('Unsupported', 'genesis.raw.top', 'BABE chains keep their validators in session and staking storage too: deriving N validators for them is not supported yet (Aura chains are)')
  if (!has(AURA_AUTHORITIES)) throw new ChainSpecError('Unsupported', 'genesis.raw.top', 'no Aura authorities in the genesis storage: only Aura + GRANDPA chains can be derived')
  if (!has(GRANDPA_WELL_KNOWN) && !has(GRANDPA_AUTHORITIES)) throw new ChainSpecError('Unsupported', 'genesis.raw.top', 'no GRANDPA authorities in the genesis storage')
  const aura = suris.map((u) => sr25519FromSuri(u).publicKey)
  const grandpa = suris.map((u) => ed25519FromSuri(u).publicKey)
  const auraValue = new Writer(8 + 32 * aura.length).vec(aura, (w, k) => void w.bytes(k)).finish()
  const grandpaList = (w: Writer) => w.vec(grandpa, (x, k) => void x.bytes(k).u64(1n))
  const values: Record<string, Uint8Array> = {
    [AURA_AUTHORITIES]: auraValue,
    [GRANDPA_WELL_KNOWN]: grandpaList(new Writer(8 + 40 * grandpa.length).u8(1)).finish(),
    [GRANDPA_AUTHORITIES]: grandpaList(new Writer(8 + 40 * grandpa.length)).finish(),
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(top)) {
    const replaced = values[k.toLowerCase()]
    out[k] = replaced ? toHex(replaced) : v
  }
  const copy = structuredClone(spec) as { genesis: { raw: { top: Record<string, string> } } }
  copy.genesis.raw.top = out
  return copy as unknown as Record<string, unknown>
}
