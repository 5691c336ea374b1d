// A local network's chain spec: a raw chain spec rewritten so that its genesis authorities are N dev
// validators, one key each, and nothing else changes (`sublight chain-spec validators`, `sublight
// testnet`). Validators are Substrate's well-known dev accounts (Alice, Bob, Charlie, Dave, Eve, Ferdie),
// then `//Validator7`, `//Validator8`, …; each authors with its sr25519 key and votes with its ed25519
// key derived from the same URI, as `sublight dev --key <uri>` does. What is rewritten, in the raw
// genesis storage:
// - Aura chains (node-template): Aura's authorities (`Aura::Authorities`) and GRANDPA's
//   (`:grandpa_authorities`, version 1, weight 1 each, and `Grandpa::Authorities` where the pallet has it).
// - BABE relay chains with staking (polkadot-dev, whose genesis holds one validator, Alice, stash
//   `//Alice//stash`): every item that names that validator is rewritten for N, each validator `//<Name>`
//   with stash `//<Name>//stash`, its session keys all derived from `//<Name>` (GRANDPA ed25519, the others
//   sr25519), Alice's stake, lock and bonding copied: BABE's and GRANDPA's authorities, session
//   validators, queued keys, next keys and key owners, staking's bonded/ledger/payee/validators, the era-0
//   exposures and prefs, invulnerables, validator counts and era-0 total stake, the bags-list nodes and
//   bag, the stashes' balance locks and account data, authority discovery and im-online keys, the
//   parachains' active validators and session-0 info, and the historical session roots (recomputed as
//   pallet-session does; the test checks the formula reproduces the genesis root for Alice alone). Up to
//   six validators there: the dev accounts the genesis endows, so the total issuance does not change.
// The original's checkpoint and boot nodes are dropped: they belong to another chain. Pure (JSON in, JSON
// out).

import { Reader, Writer, bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../codec/index.ts'
import { ed25519FromSuri, hashKey, sr25519FromSuri, storagePrefix } from '../crypto/index.ts'
import { trieRoot } from '../trie/build.ts'
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
  if (has(BABE_AUTHORITIES)) return withTop(spec, babeValidators(top, suris))
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
  return withTop(spec, out)
}

/**
 * The spec with `top` as its genesis storage. A checkpoint (`lightSyncState`) and boot nodes belong to the
 * original chain's network, not to a new genesis: they go (a light client would start from a block of
 * another chain, or dial its nodes).
 */
function withTop(spec: unknown, top: Record<string, string>): Record<string, unknown> {
  const copy = structuredClone(spec) as { genesis: { raw: { top: Record<string, string> } }; lightSyncState?: unknown; bootNodes?: unknown }
  copy.genesis.raw.top = top
  delete copy.lightSyncState
  copy.bootNodes = []
  return copy as unknown as Record<string, unknown>
}

const bad = (message: string) => new ChainSpecError('Unsupported', 'genesis.raw.top', message)
/** The hex storage key of a pallet item, with its map keys hashed as given. */
export const key = (pallet: string, item: string, ...parts: [Parameters<typeof hashKey>[0], Uint8Array][]) => toHex(concatBytes(storagePrefix(pallet, item), ...parts.map(([h, k]) => hashKey(h, k))))
const u32 = (n: number) => new Writer(4).u32(n).finish()
/** SCALE `Vec<[u8; 32]>` (accounts, sr25519 keys). */
export const accounts = (xs: readonly Uint8Array[]) => new Writer(8 + 32 * xs.length).vec(xs, (w, x) => void w.bytes(x)).finish()
/** Session key types of a Polkadot relay runtime, in `SessionKeys` order (GRANDPA's is ed25519). */
const SESSION_KEY_TYPES = ['gran', 'babe', 'imon', 'para', 'asgn', 'audi']
/** SCALE `(KeyTypeId, &[u8])`: how pallet-session keys a session key (key owners, historical tries). */
export const typedKey = (type: string, k: Uint8Array) => new Writer(40).bytes(utf8(type)).vecU8(k).finish()

/** The genesis validator of a staking chain, as the genesis names it. */
interface Genesis {
  stash: Uint8Array
  controller: Uint8Array
}

/**
 * polkadot-dev (and chains built like it) with `suris` as validators instead of the one at genesis. The
 * genesis validator's entries are the templates; every one is checked to be there as expected, so a chain
 * laid out otherwise is refused rather than half rewritten.
 */
function babeValidators(top: Record<string, string>, suris: readonly string[]): Record<string, string> {
  if (suris.length > DEV_VALIDATORS.length) throw bad(`a BABE chain with staking takes up to ${DEV_VALIDATORS.length} validators (the dev accounts its genesis endows)`)
  const get = (k: string) => top[k] ?? top[k.toLowerCase()]
  const need = (k: string, what: string) => {
    const v = get(k)
    if (v === undefined) throw bad(`no ${what} in the genesis storage: not a staking chain laid out like polkadot-dev`)
    return fromHex(v)
  }
  const validators = new Reader(need(key('Session', 'Validators'), 'Session::Validators')).vec((r) => r.bytes_(32))
  if (validators.length !== 1) throw bad(`the genesis has ${validators.length} session validators: deriving works from a genesis with exactly one`)
  const g: Genesis = { stash: validators[0], controller: need(key('Staking', 'Bonded', ['Twox64Concat', validators[0]]), 'Staking::Bonded') }
  const vals = suris.map((suri) => {
    const sr = sr25519FromSuri(suri).publicKey
    return { suri, stash: sr25519FromSuri(`${suri}//stash`).publicKey, controller: sr, sr, ed: ed25519FromSuri(suri).publicKey }
  })
  const out: Record<string, string> = { ...top }
  const set = (k: string, v: Uint8Array) => {
    // keep the spelling of an existing key
    const existing = Object.keys(out).find((x) => x.toLowerCase() === k.toLowerCase())
    out[existing ?? k] = toHex(v)
  }
  const drop = (k: string) => {
    for (const x of Object.keys(out)) if (x.toLowerCase() === k.toLowerCase()) delete out[x]
  }
  const sessionKeys = (v: (typeof vals)[number]) => concatBytes(v.ed, v.sr, v.sr, v.sr, v.sr, v.sr)

  // consensus authorities
  const weighted = (ks: Uint8Array[]) => new Writer(8 + 40 * ks.length).vec(ks, (w, k) => void w.bytes(k).u64(1n)).finish()
  for (const item of ['Authorities', 'NextAuthorities']) {
    need(key('Babe', item), `Babe::${item}`)
    set(key('Babe', item), weighted(vals.map((v) => v.sr)))
  }
  need(GRANDPA_WELL_KNOWN, ':grandpa_authorities')
  set(GRANDPA_WELL_KNOWN, concatBytes(Uint8Array.of(1), weighted(vals.map((v) => v.ed))))
  if (get(GRANDPA_AUTHORITIES) !== undefined) set(GRANDPA_AUTHORITIES, weighted(vals.map((v) => v.ed)))
  for (const [pallet, item] of [['AuthorityDiscovery', 'Keys'], ['AuthorityDiscovery', 'NextKeys'], ['ImOnline', 'Keys'], ['ParasShared', 'ActiveValidatorKeys']]) {
    need(key(pallet, item), `${pallet}::${item}`)
    set(key(pallet, item), accounts(vals.map((v) => v.sr)))
  }
  set(key('ParasShared', 'ActiveValidatorIndices'), new Writer(8 + 4 * vals.length).vec(vals.map((_, i) => i), (w, i) => void w.u32(i)).finish())

  // session
  set(key('Session', 'Validators'), accounts(vals.map((v) => v.stash)))
  set(key('Session', 'QueuedKeys'), new Writer().vec(vals, (w, v) => void w.bytes(v.stash).bytes(sessionKeys(v))).finish())
  const ownerKey = (type: string, k: Uint8Array) => key('Session', 'KeyOwner', ['Twox64Concat', typedKey(type, k)])
  const genesisKeys = need(key('Session', 'NextKeys', ['Twox64Concat', g.stash]), 'Session::NextKeys')
  drop(key('Session', 'NextKeys', ['Twox64Concat', g.stash]))
  for (const [i, type] of SESSION_KEY_TYPES.entries()) drop(ownerKey(type, genesisKeys.subarray(32 * i, 32 * i + 32)))
  for (const v of vals) {
    set(key('Session', 'NextKeys', ['Twox64Concat', v.stash]), sessionKeys(v))
    const ks = sessionKeys(v)
    for (const [i, type] of SESSION_KEY_TYPES.entries()) set(ownerKey(type, ks.subarray(32 * i, 32 * i + 32)), v.stash)
  }

  // staking: each validator bonded, exposed and preferred as the genesis one
  const ledger = need(key('Staking', 'Ledger', ['Blake2_128Concat', g.controller]), 'Staking::Ledger')
  if (!bytesEqual(ledger.subarray(0, 32), g.stash)) throw bad('Staking::Ledger of the genesis controller does not name its stash')
  const era0 = ['Twox64Concat', u32(0)] as [Parameters<typeof hashKey>[0], Uint8Array]
  const perStash: [string, string, 'Twox64Concat' | 'Blake2_128Concat', boolean][] = [
    ['Staking', 'Payee', 'Twox64Concat', false],
    ['Staking', 'Validators', 'Twox64Concat', false],
    ['Balances', 'Locks', 'Blake2_128Concat', false],
    ['System', 'Account', 'Blake2_128Concat', true],
  ]
  const templates = perStash.map(([p, i, h, exists]) => {
    const v = need(key(p, i, [h, g.stash]), `${p}::${i} of the genesis stash`)
    return { p, i, h, v, exists }
  })
  const eraTemplates = ['ErasStakers', 'ErasStakersClipped', 'ErasValidatorPrefs'].map((i) => ({ i, v: need(key('Staking', i, era0, ['Twox64Concat', g.stash]), `Staking::${i} of era 0`) }))
  const exposure = eraTemplates[0].v
  drop(key('Staking', 'Bonded', ['Twox64Concat', g.stash]))
  drop(key('Staking', 'Ledger', ['Blake2_128Concat', g.controller]))
  for (const t of templates) if (!t.exists) drop(key(t.p, t.i, [t.h, g.stash]))
  for (const t of eraTemplates) drop(key('Staking', t.i, era0, ['Twox64Concat', g.stash]))
  // the genesis stash goes back to a plain endowed account, as every other dev stash (no lock, no consumers)
  const plainAccount = get(key('System', 'Account', ['Blake2_128Concat', vals[vals.length - 1].stash]))
  if (!vals.some((v) => bytesEqual(v.stash, g.stash)) && plainAccount) set(key('System', 'Account', ['Blake2_128Concat', g.stash]), fromHex(plainAccount))
  for (const v of vals) {
    if (get(key('System', 'Account', ['Blake2_128Concat', v.stash])) === undefined && !bytesEqual(v.stash, g.stash)) throw bad(`${v.suri}//stash is not endowed at genesis`)
    set(key('Staking', 'Bonded', ['Twox64Concat', v.stash]), v.controller)
    set(key('Staking', 'Ledger', ['Blake2_128Concat', v.controller]), concatBytes(v.stash, ledger.subarray(32)))
    for (const t of templates) set(key(t.p, t.i, [t.h, v.stash]), t.v)
    for (const t of eraTemplates) set(key('Staking', t.i, era0, ['Twox64Concat', v.stash]), t.v)
  }
  set(key('Staking', 'Invulnerables'), accounts(vals.map((v) => v.stash)))
  set(key('Staking', 'ValidatorCount'), u32(vals.length))
  set(key('Staking', 'CounterForValidators'), u32(vals.length))
  const stake = new Reader(exposure).compact()
  set(key('Staking', 'ErasTotalStake', era0), new Writer(16).u128(stake * BigInt(vals.length)).finish())

  // the bags list: the validators' nodes linked in one bag
  const node = need(key('VoterList', 'ListNodes', ['Twox64Concat', g.stash]), 'VoterList::ListNodes')
  const nr = new Reader(node)
  nr.bytes_(32)
  if (nr.u8() !== 0 || nr.u8() !== 0) throw bad('the genesis bags-list node is not alone in its bag')
  const bagUpper = nr.bytes_(8)
  const score = nr.bytes_(8)
  drop(key('VoterList', 'ListNodes', ['Twox64Concat', g.stash]))
  const opt = (x: Uint8Array | undefined) => (x ? concatBytes(Uint8Array.of(1), x) : Uint8Array.of(0))
  vals.forEach((v, i) => set(key('VoterList', 'ListNodes', ['Twox64Concat', v.stash]), concatBytes(v.stash, opt(vals[i - 1]?.stash), opt(vals[i + 1]?.stash), bagUpper, score)))
  need(key('VoterList', 'ListBags', ['Twox64Concat', bagUpper]), 'VoterList::ListBags')
  set(key('VoterList', 'ListBags', ['Twox64Concat', bagUpper]), concatBytes(opt(vals[0].stash), opt(vals[vals.length - 1].stash)))
  set(key('VoterList', 'CounterForListNodes'), u32(vals.length))

  // parachains' session 0
  const infoKey = key('ParaSessionInfo', 'Sessions', ['Identity', u32(0)])
  const info = get(infoKey)
  if (info !== undefined) set(infoKey, rewriteSessionInfo(fromHex(info), vals.map((v) => v.sr)))

  // historical sessions: the root of the validators' (stash, exposure) and session keys, per session
  const historical = historicalRoot(vals.map((v) => ({ stash: v.stash, keys: sessionKeys(v) })), exposure)
  for (const k of Object.keys(out)) {
    if (!k.toLowerCase().startsWith(key('Historical', 'HistoricalSessions').toLowerCase())) continue
    out[k] = toHex(concatBytes(historical, u32(vals.length)))
  }
  return out
}

/** `SessionInfo` with `validators` as its validators and active validator indices; everything else kept. */
function rewriteSessionInfo(info: Uint8Array, validators: Uint8Array[]): Uint8Array {
  const r = new Reader(info)
  r.vec((x) => x.u32())
  const rest = info.subarray(r.pos)
  const r2 = new Reader(rest)
  r2.bytes_(32) // random seed
  r2.u32() // dispute period
  const head = rest.subarray(0, r2.pos)
  r2.vec((x) => x.bytes_(32))
  const tail = rest.subarray(r2.pos)
  const indices = new Writer(8 + 4 * validators.length).vec(validators.map((_, i) => i), (w, i) => void w.u32(i)).finish()
  return concatBytes(indices, head, accounts(validators), tail)
}

/**
 * pallet-session's historical root for one session (`ProvingTrie::generate_for`): a trie (layout V0)
 * mapping each validator's session keys `(KeyTypeId, key)` to its index, and its index to
 * `(stash, exposure)`.
 */
export function historicalRoot(validators: readonly { stash: Uint8Array; keys: Uint8Array }[], exposure: Uint8Array): Uint8Array {
  const entries: [Uint8Array, Uint8Array][] = []
  validators.forEach((v, i) => {
    for (const [t, type] of SESSION_KEY_TYPES.entries()) entries.push([typedKey(type, v.keys.subarray(32 * t, 32 * t + 32)), u32(i)])
    entries.push([u32(i), concatBytes(v.stash, exposure)])
  })
  return trieRoot(entries, 0)
}
