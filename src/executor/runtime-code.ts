// Runtime code as stored under `:code`: optional zstd compression behind Substrate's 8-byte prefix
// (bounded, against decompression bombs), and the `runtime_version` / `runtime_apis` WebAssembly
// custom sections that give the version without executing anything. Pure; typed errors only.

import { Decompress } from 'fzstd'
import { Reader, Writer, bytesEqual, concatBytes } from '../codec/index.ts'
import { DecodeError } from '../codec/index.ts'

/** Substrate's marker for zstd-compressed runtime code (sp-maybe-compressed-blob ZSTD_PREFIX). */
export const ZSTD_PREFIX = new Uint8Array([0x52, 0xbc, 0x53, 0x76, 0x46, 0xdb, 0x8e, 0x05])
/** Substrate's CODE_BLOB_BOMB_LIMIT: decompressed runtimes may not exceed 50 MiB. */
export const DEFAULT_MAX_CODE_SIZE = 50 * 1024 * 1024

export type RuntimeCodeErrorCode = 'TooLarge' | 'BadCompression' | 'NotWasm' | 'BadSection' | 'BadVersion'
export class RuntimeCodeError extends Error {
  override readonly name = 'RuntimeCodeError'
  constructor(
    readonly code: RuntimeCodeErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** The zstd frame magic number; runtime files are sometimes bare zstd frames without Substrate's prefix. */
const ZSTD_MAGIC = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])

/**
 * Returns the WebAssembly bytes: decompressed when `code` carries Substrate's zstd prefix (or is a
 * bare zstd frame, as runtime files sometimes are), else `code` itself.
 */
export function decompressRuntimeCode(code: Uint8Array, maxSize = DEFAULT_MAX_CODE_SIZE): Uint8Array {
  const steps = decompressSteps(code, maxSize)
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

/**
 * `decompressRuntimeCode` giving the event loop a turn between slices (a Polkadot runtime takes ~200 ms to
 * decompress in JavaScript: one slice is ~10 ms).
 */
export async function decompressRuntimeCodeAsync(code: Uint8Array, maxSize = DEFAULT_MAX_CODE_SIZE): Promise<Uint8Array> {
  const steps = decompressSteps(code, maxSize)
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

/** The decompression, one 64 KiB slice of input per step (an oversized output is caught early). */
function* decompressSteps(code: Uint8Array, maxSize: number): Generator<void, Uint8Array> {
  const prefixed = code.length >= 8 && bytesEqual(code.subarray(0, 8), ZSTD_PREFIX)
  const bare = !prefixed && code.length >= 4 && bytesEqual(code.subarray(0, 4), ZSTD_MAGIC)
  if (!prefixed && !bare) {
    if (code.length > maxSize) throw new RuntimeCodeError('TooLarge', `runtime code of ${code.length} bytes exceeds ${maxSize}`)
    return code
  }
  const chunks: Uint8Array[] = []
  let total = 0
  let done = false
  const d = new Decompress((chunk, final) => {
    total += chunk.length
    if (total > maxSize) throw new RuntimeCodeError('TooLarge', `decompressed runtime exceeds ${maxSize} bytes`)
    chunks.push(chunk)
    if (final) done = true
  })
  const body = prefixed ? code.subarray(8) : code
  for (let o = 0; o < body.length; o += 1 << 16) {
    try {
      d.push(body.subarray(o, Math.min(o + (1 << 16), body.length)), o + (1 << 16) >= body.length)
    } catch (e) {
      if (e instanceof RuntimeCodeError) throw e
      throw new RuntimeCodeError('BadCompression', `invalid zstd runtime: ${(e as Error).message}`)
    }
    if (o + (1 << 16) < body.length) yield
  }
  if (!done) throw new RuntimeCodeError('BadCompression', 'truncated zstd runtime')
  return chunks.length === 1 ? chunks[0] : concatBytes(...chunks)
}

function leb128(bytes: Uint8Array, pos: { p: number }): number {
  let result = 0
  let shift = 0
  for (;;) {
    if (pos.p >= bytes.length) throw new RuntimeCodeError('NotWasm', 'truncated LEB128 in wasm')
    const b = bytes[pos.p++]
    result += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) return result
    shift += 7
    if (shift > 28) throw new RuntimeCodeError('NotWasm', 'LEB128 too long in wasm')
  }
}

/** Contents of every custom section with this name, in order. */
export function wasmCustomSections(wasm: Uint8Array, name: string): Uint8Array[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new RuntimeCodeError('NotWasm', 'missing WebAssembly magic number')
  const out: Uint8Array[] = []
  const want = new TextEncoder().encode(name)
  const pos = { p: 8 }
  while (pos.p < wasm.length) {
    const id = wasm[pos.p++]
    const size = leb128(wasm, pos)
    const end = pos.p + size
    if (end > wasm.length) throw new RuntimeCodeError('NotWasm', `section ${id} overruns the module`)
    if (id === 0) {
      const nameLen = leb128(wasm, pos)
      if (pos.p + nameLen > end) throw new RuntimeCodeError('NotWasm', 'custom section name overruns its section')
      if (bytesEqual(wasm.subarray(pos.p, pos.p + nameLen), want)) out.push(wasm.subarray(pos.p + nameLen, end))
    }
    pos.p = end
  }
  return out
}

export interface RuntimeVersion {
  specName: string
  implName: string
  authoringVersion: number
  specVersion: number
  implVersion: number
  /** `[api id (8 bytes), version]` pairs. */
  apis: [Uint8Array, number][]
  transactionVersion: number | undefined
  /** Trie state version the runtime uses (0 when the runtime predates the field). */
  stateVersion: 0 | 1
}

function readApis(r: Reader, count: number): [Uint8Array, number][] {
  const out: [Uint8Array, number][] = []
  for (let i = 0; i < count; i++) out.push([r.bytes_(8), r.u32()])
  return out
}

/**
 * Decodes a SCALE `RuntimeVersion` (as `Core_version` returns it and the `runtime_version` section
 * holds it). Fields added over the years (transaction_version, state_version/system_version) are read
 * when present, as Substrate does for older runtimes.
 */
export function decodeRuntimeVersion(bytes: Uint8Array): RuntimeVersion {
  try {
    const r = new Reader(bytes)
    const specName = r.str()
    const implName = r.str()
    const authoringVersion = r.u32()
    const specVersion = r.u32()
    const implVersion = r.u32()
    const apis = readApis(r, r.vecLength(12))
    const transactionVersion = r.remaining >= 4 ? r.u32() : undefined
    let stateVersion: 0 | 1 = 0
    if (r.remaining >= 1) {
      const at = r.pos
      const v = r.u8()
      if (v > 1) throw new DecodeError('Invalid', at, `state version ${v}`)
      stateVersion = v as 0 | 1
    }
    r.finish()
    return { specName, implName, authoringVersion, specVersion, implVersion, apis, transactionVersion, stateVersion }
  } catch (e) {
    if (e instanceof DecodeError) throw new RuntimeCodeError('BadVersion', `malformed runtime version: ${e.message}`)
    throw e
  }
}

/**
 * SCALE `RuntimeVersion` with every field (a runtime decoding an older layout ignores the trailing
 * ones): what `ext_misc_runtime_version` hands a runtime. A version read without a transaction
 * version gets 1, Substrate's default.
 */
export function encodeRuntimeVersion(v: RuntimeVersion): Uint8Array {
  return new Writer(64 + v.apis.length * 12)
    .str(v.specName)
    .str(v.implName)
    .u32(v.authoringVersion)
    .u32(v.specVersion)
    .u32(v.implVersion)
    .vec(v.apis, (w, [id, version]) => void w.bytes(id).u32(version))
    .u32(v.transactionVersion ?? 1)
    .u8(v.stateVersion)
    .finish()
}

/**
 * The runtime version from the `runtime_version` custom section, with the APIs from `runtime_apis`,
 * or undefined when the runtime has no such section (then only executing `Core_version` tells).
 */
export function readRuntimeVersionSections(wasm: Uint8Array): RuntimeVersion | undefined {
  const versions = wasmCustomSections(wasm, 'runtime_version')
  if (versions.length === 0) return undefined
  if (versions.length > 1) throw new RuntimeCodeError('BadSection', 'more than one runtime_version section')
  const version = decodeRuntimeVersion(versions[0])
  const apiSections = wasmCustomSections(wasm, 'runtime_apis')
  if (apiSections.length > 0) {
    const bytes = concatBytes(...apiSections)
    if (bytes.length % 12 !== 0) throw new RuntimeCodeError('BadSection', `runtime_apis section of ${bytes.length} bytes is not a list of (id, version)`)
    version.apis = readApis(new Reader(bytes), bytes.length / 12)
  }
  return version
}
