// Small helpers over a block's runtime: its code from the state, and the version of a runtime API it
// implements (from `Core_version`), which decides argument and result layouts of versioned APIs.

import { toHex, utf8 } from '../codec/index.ts'
import { auraKeyScheme } from '../verify/index.ts'
import { blake2_64 } from '../crypto/index.ts'
import { Runtime, type StorageBackend } from '../executor/index.ts'
import type { StateVersion } from '../trie/index.ts'

export class NoRuntimeError extends Error {
  override readonly name = 'NoRuntimeError'
}

const stateVersions = new WeakMap<Runtime, StateVersion>()

/**
 * The state version of the runtime at `state` (from its version: custom section, else `Core_version`;
 * runtimes older than state versions are 0). A block's state root uses the version of the runtime that
 * executed it, i.e. the one in its parent's state: after an upgrade from V0 to V1 the roots change with it.
 */
export function stateVersionAt(state: StorageBackend): StateVersion {
  const rt = runtimeAt(state)
  let v = stateVersions.get(rt)
  if (v === undefined) {
    v = rt.version(state).stateVersion ?? 0
    stateVersions.set(rt, v)
  }
  return v
}

/** The runtime stored at `:code` in `state`. */
export function runtimeAt(state: StorageBackend): Runtime {
  const code = state.get(utf8(':code'))
  if (!code) throw new NoRuntimeError('the state has no :code')
  return Runtime.load(code)
}

/** Version of runtime API `name` (e.g. 'TaggedTransactionQueue') in the runtime at `state`; undefined when absent. */
export function runtimeApiVersion(state: StorageBackend, name: string): number | undefined {
  const id = toHex(blake2_64(utf8(name)))
  const v = runtimeAt(state).version(state)
  return v.apis.find(([api]) => toHex(api) === id)?.[1]
}

/** The Aura key scheme of the runtime in `state` (sr25519 when the metadata does not say). */
export function auraSchemeAt(state: StorageBackend): 'sr25519' | 'ed25519' {
  const out = runtimeAt(state).call('Metadata_metadata', new Uint8Array(), { storage: state }).output
  return auraKeyScheme(out) ?? 'sr25519'
}
