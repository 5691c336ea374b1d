// Well-known chains by name: the chain specs shipped by @substrate/connect-known-chains (Polkadot, Kusama,
// Westend, Paseo and their system parachains), with the everyday names people type (`kusama` for
// `ksmcc3`, `westend` for `westend2`).

import { RELAY_CHAIN_ALIASES } from '../chain-spec/relay-pairing.ts'

/** Everyday names for the package's spec names. */
const ALIASES: Record<string, string> = { ...RELAY_CHAIN_ALIASES, 'kusama-asset-hub': 'ksmcc3_asset_hub', 'westend-asset-hub': 'westend2_asset_hub', 'polkadot-asset-hub': 'polkadot_asset_hub' }

/** The names `--chain` accepts (the package's, then the aliases). */
export async function knownChainNames(): Promise<string[]> {
  const specs = await import('@substrate/connect-known-chains')
  return [...Object.keys(specs).filter((k) => typeof (specs as Record<string, unknown>)[k] === 'string'), ...Object.keys(ALIASES)].sort()
}

/** The chain spec text of a well-known chain, or undefined when `name` is not one. */
export async function knownChainSpec(name: string): Promise<string | undefined> {
  const specs = (await import('@substrate/connect-known-chains')) as Record<string, unknown>
  const spec = specs[ALIASES[name] ?? name]
  return typeof spec === 'string' ? spec : undefined
}
