// Which relay chain a parachain spec's `relay_chain` names. Substrate's specs name it by the relay spec's
// `id` (`polkadot`, `ksmcc3`, `westend2`), but people and tools also write the everyday names (`kusama`,
// `westend`, `rococo`), and a few specs name the relay by its genesis hash. smoldot matches the id only,
// and refuses the rest; we accept all three.

/** Everyday relay-chain names for spec ids (the ids are what Substrate's specs carry). */
export const RELAY_CHAIN_ALIASES: Readonly<Record<string, string>> = { kusama: 'ksmcc3', westend: 'westend2', rococo: 'rococo_v2_2' }

const canonical = (name: string): string => RELAY_CHAIN_ALIASES[name.toLowerCase()] ?? name

/**
 * Whether `wanted` (a parachain spec's `relay_chain`) names the relay chain whose spec id is `relayId` and
 * genesis hash `relayGenesisHash` (hex): the same id, an alias of it, or its genesis hash.
 */
export function namesRelayChain(wanted: string, relayId: string, relayGenesisHash: string): boolean {
  if (/^0x[0-9a-fA-F]{64}$/.test(wanted)) return wanted.toLowerCase() === relayGenesisHash.toLowerCase()
  return wanted === relayId || canonical(wanted) === canonical(relayId)
}
