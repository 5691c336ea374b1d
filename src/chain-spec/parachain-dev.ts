// A parachain's development spec (`sublight chain-spec parachain-dev`): a real Cumulus parachain's raw
// chain spec (Polkadot Coretime, para 1005: Aura collators with pallet-session and collator-selection)
// rewritten so that Alice is its only collator — her sr25519 key as Aura authority, session key and
// invulnerable — and its `relay_chain` names the given relay spec. What is rewritten, in the raw genesis
// storage: `Aura::Authorities`, `AuraExt::Authorities`, `CollatorSelection::Invulnerables`,
// `Session::Validators`, `Session::QueuedKeys`, and the `Session::NextKeys` and `Session::KeyOwner`
// entries (the genesis collators' go, Alice's come). Every other storage item and field stays as it is,
// except the boot nodes: they are the live network's, whose genesis differs — unless accounts are asked to be
// endowed (`--endow <suri>`: an account and the total issuance raised by as much). Pure (JSON in, JSON out).

import { Reader, Writer, fromHex, toHex } from '../codec/index.ts'
import { sr25519FromSuri } from '../crypto/index.ts'
import { ChainSpecError } from './errors.ts'
import { accounts, key, typedKey } from './validators.ts'

/** The collator of a parachain dev spec. */
export const PARACHAIN_DEV_COLLATOR = '//Alice'

const bad = (message: string) => new ChainSpecError('Unsupported', 'genesis.raw.top', message)

export interface ParachainDevOptions {
  /**
   * Dev accounts (secret URIs) given `ENDOWMENT` each, so that a devnet has someone to send transactions:
   * a `System::Account` entry each (one provider, as pallet-balances makes it) and `Balances::TotalIssuance`
   * raised by as much. Off by default: the derived spec then changes nothing but the collator keys.
   */
  endow?: readonly string[]
}

/** What `endow` gives each account: 1,000,000 units of a 10-decimal token (DOT on Coretime). */
export const ENDOWMENT = 10n ** 16n

/**
 * `para` (the parsed JSON of a raw parachain chain spec) with Alice as its only collator, paired with the
 * relay chain whose spec id is `relayId`. Throws ChainSpecError for a spec that is not a parachain with raw
 * genesis storage, or whose collators are not laid out as a Cumulus Aura + session chain's.
 */
export function parachainDevSpec(para: unknown, relayId: string, opts: ParachainDevOptions = {}): Record<string, unknown> {
  const spec = structuredClone(para) as { genesis?: { raw?: { top?: Record<string, string> } }; relay_chain?: unknown; relayChain?: unknown; para_id?: unknown; paraId?: unknown; bootNodes?: unknown }
  const top = spec?.genesis?.raw?.top
  if (!top || typeof top !== 'object') throw new ChainSpecError('MissingField', 'genesis.raw.top', 'a parachain dev spec is derived from a raw chain spec (genesis storage as key-value pairs)')
  if ((spec.relay_chain ?? spec.relayChain) === undefined || (spec.para_id ?? spec.paraId) === undefined) throw new ChainSpecError('MissingField', 'relay_chain', 'not a parachain spec (no relay_chain and para_id)')
  const lower = new Map(Object.keys(top).map((k) => [k.toLowerCase(), k]))
  const need = (k: string, what: string) => {
    const v = top[lower.get(k) ?? '']
    if (v === undefined) throw bad(`no ${what} in the genesis storage: not a Cumulus chain with Aura and pallet-session`)
    return fromHex(v)
  }
  const set = (k: string, v: Uint8Array) => void (top[lower.get(k) ?? k] = toHex(v))
  const alice = sr25519FromSuri(PARACHAIN_DEV_COLLATOR).publicKey

  // the genesis collators, as session validators: their next keys and the key owners of their Aura keys go
  const collators = new Reader(need(key('Session', 'Validators'), 'Session::Validators')).vec((r) => r.bytes_(32))
  for (const c of collators) {
    const next = key('Session', 'NextKeys', ['Twox64Concat', c])
    const aura = need(next, 'Session::NextKeys of a collator')
    if (aura.length !== 32) throw bad('a collator\'s session keys are not one Aura key: not laid out like a system parachain')
    delete top[lower.get(next)!]
    const owner = lower.get(key('Session', 'KeyOwner', ['Twox64Concat', typedKey('aura', aura)]))
    if (owner) delete top[owner]
  }
  for (const item of ['Aura', 'AuraExt']) {
    need(key(item, 'Authorities'), `${item}::Authorities`)
    set(key(item, 'Authorities'), accounts([alice]))
  }
  need(key('CollatorSelection', 'Invulnerables'), 'CollatorSelection::Invulnerables')
  set(key('CollatorSelection', 'Invulnerables'), accounts([alice]))
  set(key('Session', 'Validators'), accounts([alice]))
  need(key('Session', 'QueuedKeys'), 'Session::QueuedKeys')
  set(key('Session', 'QueuedKeys'), new Uint8Array([4, ...alice, ...alice]))
  set(key('Session', 'NextKeys', ['Twox64Concat', alice]), alice)
  set(key('Session', 'KeyOwner', ['Twox64Concat', typedKey('aura', alice)]), alice)

  if (opts.endow?.length) {
    const issuanceKey = key('Balances', 'TotalIssuance')
    let issuance = new Reader(need(issuanceKey, 'Balances::TotalIssuance')).u128()
    for (const suri of new Set(opts.endow)) {
      const who = sr25519FromSuri(suri).publicKey
      const accountKey = key('System', 'Account', ['Blake2_128Concat', who])
      if (lower.has(accountKey)) throw bad(`${suri} has an account in the genesis already`)
      // AccountInfo { nonce, consumers, providers: 1, sufficients, data: { free, reserved, frozen, flags: new logic } }
      set(accountKey, new Writer(80).u32(0).u32(0).u32(1).u32(0).u128(ENDOWMENT).u128(0n).u128(0n).u128(1n << 127n).finish())
      issuance += ENDOWMENT
    }
    set(issuanceKey, new Writer(16).u128(issuance).finish())
  }

  if ('relayChain' in spec && !('relay_chain' in spec)) spec.relayChain = relayId
  else spec.relay_chain = relayId
  spec.bootNodes = []
  return spec as Record<string, unknown>
}
