// Runs a runtime call in @acala-network/chopsticks-executor (smoldot's executor in WebAssembly), the
// independent reference, over one of our StorageBackends (top trie only: its callback has no child tries).
import * as ce from '@acala-network/chopsticks-executor'
import { fromHex, toHex } from '../../src/codec/index.ts'
import type { JsCallback } from '../../src/chopsticks-executor/index.ts'
import type { StorageBackend } from '../../src/executor/index.ts'

/**
 * Chopsticks' task callbacks over a state we hold, answering as Chopsticks does (its `taskHandler`):
 * a next key without a prefix stays within the first 32 bytes of the key asked about. `over` replaces some.
 */
export function chopsticksCallbacks(st: StorageBackend, over: Partial<JsCallback> = {}): JsCallback {
  return {
    getStorage: async (k) => {
      const v = st.get(fromHex(k))
      return v ? toHex(v) : undefined
    },
    getNextKey: async (prefix, key) => {
      const p = prefix.length === 2 ? key.slice(0, 66) : prefix
      const n = st.nextKey(fromHex(key))
      return n && toHex(n).startsWith(p) ? toHex(n) : undefined
    },
    offchainGetStorage: async () => undefined,
    offchainTimestamp: async () => 0,
    offchainRandomSeed: async () => `0x${'00'.repeat(32)}`,
    offchainSubmitTransaction: async () => false,
    ...over,
  }
}

/** Output of `method(args)` as hex, as the reference computes it. */
export async function chopsticksCall(st: StorageBackend, codeHex: string, method: string, argsHex: string): Promise<string> {
  const r = await ce.run_task(
    { id: 1, wasm: codeHex, calls: [[method, [argsHex]]], mockSignatureHost: 0, allowUnresolvedImports: false, runtimeLogLevel: 0, storageProofSize: 0 },
    {
      getStorage: async (k: string) => {
        const v = st.get(fromHex(k))
        return v ? toHex(v) : undefined
      },
      getNextKey: async (prefix: string, key: string) => {
        const n = st.nextKey(fromHex(key))
        return n && toHex(n).startsWith(prefix) ? toHex(n) : undefined
      },
      offchainGetStorage: async () => undefined,
      offchainTimestamp: async () => 0,
      offchainRandomSeed: async () => `0x${'00'.repeat(32)}`,
      offchainSubmitTransaction: async () => false,
    },
  )
  if (!r.Call) throw new Error(`chopsticks-executor: ${JSON.stringify(r).slice(0, 300)}`)
  return r.Call.result
}
