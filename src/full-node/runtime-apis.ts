// Small helpers over a block's runtime: its code from the state, and the version of a runtime API it
// implements (from `Core_version`), which decides argument and result layouts of versioned APIs.

import { toHex, utf8 } from '../codec/index.ts'
import { blake2_64 } from '../crypto/index.ts'
import { Runtime, decodeRuntimeVersion, type StorageBackend } from '../executor/index.ts'

export class NoRuntimeError extends Error {
  override readonly name = 'NoRuntimeError'
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
  const v = decodeRuntimeVersion(runtimeAt(state).call('Core_version', new Uint8Array(), { storage: state }).output)
  return v.apis.find(([api]) => toHex(api) === id)?.[1]
}
