// Parachains registered in a relay chain's genesis (the relay side of #27): a raw relay spec laid out like
// polkadot-dev (Polkadot runtime 9390, parachains modules of polkadot v0.9.39) rewritten as its `Paras`
// genesis config would have built it with these parachains — what `paras::initialize_para_now` writes
// (lifecycle `Parachain`, the sorted `Parachains` list, `Heads`, `CurrentCodeHash`, `CodeByHash` and its
// reference count) — and with the availability cores and validator groups that the scheduler computes at a
// session change with that many parachains (one core per parachain, the active validators split in as
// many groups), since the genesis session was applied before any parachain existed. Nothing else
// changes. Pure (JSON in, JSON out).

import { Writer, fromHex, toHex, Reader } from '../codec/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import { ChainSpecError } from './errors.ts'
import { key } from './validators.ts'

/** A parachain to register: its id, genesis head (the SCALE header of its genesis block) and validation code (its `:code`). */
export interface GenesisParachain {
  id: number
  genesisHead: Uint8Array
  validationCode: Uint8Array
}

/** `ParaLifecycle::Parachain` (Onboarding 0, Parathread 1, Parachain 2, …). */
const LIFECYCLE_PARACHAIN = 2

const bad = (message: string) => new ChainSpecError('Unsupported', 'genesis.raw.top', message)

/**
 * `relay` (the parsed JSON of a raw relay chain spec) with `paras` registered at genesis. Throws
 * ChainSpecError for a spec without raw genesis, without the parachains modules, or with parachains
 * already (this derivation starts from a relay that has none).
 */
export function withGenesisParachains(relay: unknown, paras: readonly GenesisParachain[]): Record<string, unknown> {
  const spec = structuredClone(relay) as { genesis?: { raw?: { top?: Record<string, string> } } }
  const top = spec?.genesis?.raw?.top
  if (!top || typeof top !== 'object') throw new ChainSpecError('MissingField', 'genesis.raw.top', 'parachains are registered in a raw chain spec (genesis storage as key-value pairs)')
  const lower = new Map(Object.keys(top).map((k) => [k.toLowerCase(), k]))
  const get = (k: string) => top[lower.get(k) ?? '']
  const set = (k: string, v: Uint8Array) => void (top[lower.get(k) ?? k] = toHex(v))
  const activeValidators = get(key('ParasShared', 'ActiveValidatorIndices'))
  if (activeValidators === undefined || get(key('ParaScheduler', 'AvailabilityCores')) === undefined) throw bad('no parachains modules (ParasShared, ParaScheduler) in the genesis storage: not a relay chain laid out like polkadot-dev')
  if (get(key('Paras', 'Parachains')) !== undefined) throw bad('the genesis already registers parachains')
  const ids = paras.map((p) => p.id).sort((a, b) => a - b)
  if (new Set(ids).size !== ids.length) throw bad('a parachain id is given twice')

  for (const p of paras) {
    const id = new Writer(4).u32(p.id).finish()
    const codeHash = blake2_256(p.validationCode)
    set(key('Paras', 'ParaLifecycles', ['Twox64Concat', id]), new Uint8Array([LIFECYCLE_PARACHAIN]))
    set(key('Paras', 'Heads', ['Twox64Concat', id]), new Writer(p.genesisHead.length + 5).vecU8(p.genesisHead).finish())
    set(key('Paras', 'CurrentCodeHash', ['Twox64Concat', id]), codeHash)
    const refs = key('Paras', 'CodeByHashRefs', ['Identity', codeHash])
    const count = get(refs) === undefined ? 0 : new Reader(fromHex(get(refs)!)).u32()
    set(refs, new Writer(4).u32(count + 1).finish())
    set(key('Paras', 'CodeByHash', ['Identity', codeHash]), new Writer(p.validationCode.length + 5).vecU8(p.validationCode).finish())
  }
  set(key('Paras', 'Parachains'), new Writer(8 + 4 * ids.length).vec(ids, (w, id) => void w.u32(id)).finish())

  // as the scheduler's `initializer_on_new_session` with ids.length parachains: that many free cores, and
  // the active validators (by index) in as many groups, the first groups one larger when they do not divide
  const validators = new Reader(fromHex(activeValidators)).vec((r) => r.u32())
  const cores = ids.length
  const groups: number[][] = validators.length ? Array.from({ length: cores }, () => []) : []
  const base = groups.length ? Math.floor(validators.length / groups.length) : 0
  const larger = groups.length ? validators.length % groups.length : 0
  let at = 0
  groups.forEach((g, i) => {
    const size = base + (i < larger ? 1 : 0)
    g.push(...validators.slice(at, at + size))
    at += size
  })
  set(key('ParaScheduler', 'AvailabilityCores'), new Writer(8 + cores).vec(Array.from({ length: cores }), (w) => void w.u8(0)).finish())
  set(key('ParaScheduler', 'ValidatorGroups'), new Writer(16 + 4 * validators.length).vec(groups, (w, g) => void w.vec(g, (x, v) => void x.u32(v))).finish())
  return spec as Record<string, unknown>
}
