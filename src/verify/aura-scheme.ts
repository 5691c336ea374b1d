// Which signature scheme a runtime's Aura authorities use, read from the runtime's own metadata (pure).

import { Writer } from '../codec/index.ts'

/**
 * The signature scheme of the runtime's Aura authorities, read from its metadata: the type registry names
 * the authority type by its path (`sp_consensus_aura::sr25519::…` or `sp_consensus_aura::ed25519::…`),
 * SCALE-encoded as consecutive length-prefixed strings. Undefined when the metadata names neither.
 */
export function auraKeyScheme(metadata: Uint8Array): 'sr25519' | 'ed25519' | undefined {
  const pathOf = (scheme: string) => new Writer(32).str('sp_consensus_aura').str(scheme).finish()
  const has = (needle: Uint8Array) => indexOfBytes(metadata, needle) >= 0
  const sr = has(pathOf('sr25519'))
  const ed = has(pathOf('ed25519'))
  return sr && !ed ? 'sr25519' : ed && !sr ? 'ed25519' : undefined
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = hay.indexOf(needle[0]); i >= 0 && i <= hay.length - needle.length; i = hay.indexOf(needle[0], i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
