// Reads what WebAssembly's JS API does not expose about a module: the limits of an imported memory
// (older runtimes import their memory and the host must size it). A minimal, bounds-checked walk of
// the import section; anything malformed is left to the engine's compiler to reject.

import { encodeUleb128 } from '../codec/index.ts'
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

const writeLeb = (n: number): number[] => [...encodeUleb128(n)]

function skipSleb(bytes: Uint8Array, pos: { p: number }): void {
  for (let i = 0; i < 10; i++) {
    if (pos.p >= bytes.length) throw new ExecutorError('InvalidCode', 'truncated LEB128')
    if (!(bytes[pos.p++] & 0x80)) return
  }
  throw new ExecutorError('InvalidCode', 'LEB128 too long')
}

/** Skips a constant expression (a global's initializer) up to and including its `end`. */
function skipConstExpr(bytes: Uint8Array, pos: { p: number }): void {
  for (;;) {
    if (pos.p >= bytes.length) throw new ExecutorError('InvalidCode', 'truncated constant expression')
    const op = bytes[pos.p++]
    if (op === 0x0b) return
    if (op === 0x41 || op === 0x42) skipSleb(bytes, pos) // i32/i64.const
    else if (op === 0x43) pos.p += 4 // f32.const
    else if (op === 0x44) pos.p += 8 // f64.const
    else if (op === 0x23 || op === 0xd2) leb(bytes, pos) // global.get, ref.func
    else if (op === 0xd0) pos.p++ // ref.null t
    else if (op === 0xfd) (leb(bytes, pos), (pos.p += 16)) // v128.const
    else if (!((op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e))) throw new ExecutorError('InvalidCode', `unexpected opcode 0x${op.toString(16)} in a constant expression`)
  }
}

/** Export-name prefix of the mutable globals `exposeMutableGlobals` adds. */
export const EXPOSED_GLOBAL_PREFIX = 'sublight:global:'

/**
 * Adds an export for every mutable global the module defines (`sublight:global:<index>`), so that the
 * host can snapshot and restore them between calls on a reused instance — what Substrate's executor
 * does (`expose_mutable_globals`). Returns the module unchanged when it has no mutable global.
 */
export function exposeMutableGlobals(wasm: Uint8Array): Uint8Array {
  const sections: { id: number; start: number; bodyStart: number; end: number }[] = []
  const pos = { p: 8 }
  while (pos.p < wasm.length) {
    const start = pos.p
    const id = wasm[pos.p++]
    const size = leb(wasm, pos)
    sections.push({ id, start, bodyStart: pos.p, end: pos.p + size })
    pos.p += size
  }
  let importedGlobals = 0
  const imports = sections.find((s) => s.id === 2)
  if (imports) {
    const q = { p: imports.bodyStart }
    const count = leb(wasm, q)
    for (let i = 0; i < count; i++) {
      // (`q.p += leb(wasm, q)` would add the length to q.p as it was before the length was read)
      const moduleLen = leb(wasm, q)
      q.p += moduleLen
      const fieldLen = leb(wasm, q)
      q.p += fieldLen
      const kind = wasm[q.p++]
      if (kind === 0) leb(wasm, q)
      else if (kind === 1) {
        q.p++
        const flags = wasm[q.p++]
        leb(wasm, q)
        if (flags & 1) leb(wasm, q)
      } else if (kind === 2) {
        const flags = wasm[q.p++]
        leb(wasm, q)
        if (flags & 1) leb(wasm, q)
      } else if (kind === 3) {
        importedGlobals++
        q.p += 2
      } else throw new ExecutorError('InvalidCode', `unknown import kind ${kind}`)
    }
  }
  const mutable: number[] = []
  const globals = sections.find((s) => s.id === 6)
  if (globals) {
    const q = { p: globals.bodyStart }
    const count = leb(wasm, q)
    for (let i = 0; i < count; i++) {
      q.p++ // value type
      if (wasm[q.p++] === 1) mutable.push(importedGlobals + i)
      skipConstExpr(wasm, q)
    }
  }
  if (mutable.length === 0) return wasm
  const added: number[] = []
  for (const idx of mutable) {
    const name = new TextEncoder().encode(EXPOSED_GLOBAL_PREFIX + idx)
    added.push(...writeLeb(name.length), ...name, 3, ...writeLeb(idx))
  }
  const exportsSection = sections.find((s) => s.id === 7)
  let body: Uint8Array
  let replaceFrom: number
  let replaceTo: number
  if (exportsSection) {
    const q = { p: exportsSection.bodyStart }
    const count = leb(wasm, q)
    const rest = wasm.subarray(q.p, exportsSection.end)
    body = Uint8Array.from([...writeLeb(count + mutable.length), ...rest, ...added])
    replaceFrom = exportsSection.start
    replaceTo = exportsSection.end
  } else {
    body = Uint8Array.from([...writeLeb(mutable.length), ...added])
    // the export section comes right after the global section (or whichever known section precedes it)
    const before = sections.filter((s) => s.id >= 1 && s.id <= 6).pop()
    replaceFrom = replaceTo = before ? before.end : 8
  }
  const header = Uint8Array.from([7, ...writeLeb(body.length)])
  const out = new Uint8Array(wasm.length - (replaceTo - replaceFrom) + header.length + body.length)
  out.set(wasm.subarray(0, replaceFrom), 0)
  out.set(header, replaceFrom)
  out.set(body, replaceFrom + header.length)
  out.set(wasm.subarray(replaceTo), replaceFrom + header.length + body.length)
  return out
}
