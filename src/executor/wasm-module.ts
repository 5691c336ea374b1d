// Reads what WebAssembly's JS API does not expose about a module: the limits of an imported memory
// (older runtimes import their memory and the host must size it). A minimal, bounds-checked walk of
// the import section; anything malformed is left to the engine's compiler to reject.

import { ExecutorError } from './errors.ts'

export interface MemoryLimits {
  min: number
  max: number | undefined
}

function leb(bytes: Uint8Array, pos: { p: number }): number {
  let result = 0
  let shift = 0
  for (;;) {
    if (pos.p >= bytes.length) throw new ExecutorError('InvalidCode', 'truncated LEB128')
    const b = bytes[pos.p++]
    result += (b & 0x7f) * 2 ** shift
    if (!(b & 0x80)) return result
    shift += 7
    if (shift > 35) throw new ExecutorError('InvalidCode', 'LEB128 too long')
  }
}

/** Limits of the memory the module imports (`env.memory`), or undefined if it defines its own. */
export function importedMemoryLimits(wasm: Uint8Array): MemoryLimits | undefined {
  const pos = { p: 8 }
  while (pos.p < wasm.length) {
    const id = wasm[pos.p++]
    const size = leb(wasm, pos)
    const end = pos.p + size
    if (id !== 2) {
      pos.p = end
      continue
    }
    const count = leb(wasm, pos)
    for (let i = 0; i < count && pos.p < end; i++) {
      const moduleLen = leb(wasm, pos) // (read the length first: it advances pos)
      pos.p += moduleLen
      const fieldLen = leb(wasm, pos)
      pos.p += fieldLen
      const kind = wasm[pos.p++]
      if (kind === 0) leb(wasm, pos)
      else if (kind === 1) {
        pos.p++ // reftype
        const flags = wasm[pos.p++]
        leb(wasm, pos)
        if (flags & 1) leb(wasm, pos)
      } else if (kind === 2) {
        const flags = wasm[pos.p++]
        const min = leb(wasm, pos)
        const max = flags & 1 ? leb(wasm, pos) : undefined
        return { min, max }
      } else if (kind === 3) pos.p += 2
      else return undefined
    }
    return undefined
  }
  return undefined
}
