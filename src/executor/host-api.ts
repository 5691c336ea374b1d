// The Substrate host API (sp-io) offered to runtimes: storage and child storage, hashing, crypto
// (verification, recovery, batch, keystore), trie roots and proofs, allocator, logging, misc, offchain
// indexing, panic handling, transaction indexing. Each function reads its arguments from the runtime's
// memory (pointer-sizes: ptr in the low 32 bits, length in the high 32 bits), does its work
// synchronously against the overlay, and writes results through the freeing-bump allocator.
//
// Provided but trapping by design (the call fails with a clear message, as in Substrate outside their
// context, or as in smoldot): `ext_offchain_*` and `ext_sandbox_*` outside an offchain-worker context;
// `ext_trie_{blake2,keccak}_256_verify_proof_version_{1,2}` (trie-db compact proofs, not implemented).
// `ext_storage_proof_size_*` answers u64::MAX (no proof being recorded), as Substrate without a recorder.

import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_512 } from '@noble/hashes/sha3.js'
import { Reader, Writer, fromUtf8, startsWith, toHex, utf8 } from '../codec/index.ts'
import { blake2_128, blake2_256, ecdsaFromSuri, ed25519FromSuri, ed25519Verify, keccak256, sha2_256, sr25519FromSuri, sr25519Verify, sr25519VerifyDeprecated, twox128, twox256, twox64, type DevKeypair } from '../crypto/index.ts'
import { buildRootNode, sortedEntries, type Entry, type StateVersion } from '../trie/index.ts'
import type { AllocatorMemory, FreeingBumpAllocator } from './allocator.ts'
import { ExecutorError } from './errors.ts'
import { Keystore, type KeyScheme } from './keystore.ts'
import type { OverlayStorage } from './storage.ts'

export interface RuntimeLog {
  level: number
  target: string
  message: string
  /** Set for `ext_misc_print_{num,utf8,hex}` output (recorded at any log level; no level or target of its own). */
  print?: 'num' | 'utf8' | 'hex'
}

/** Everything a host function may touch during one call. */
export interface HostContext {
  memory(): WebAssembly.Memory
  allocator: FreeingBumpAllocator
  storage: OverlayStorage
  keystore: Keystore | undefined
  offchainIndex: [key: Uint8Array, value: Uint8Array | null][]
  /** `ext_transaction_index_*` operations, in call order (Substrate's `IndexOperation`). */
  transactionIndex: TransactionIndexOperation[]
  logs: RuntimeLog[]
  /** 0 = off, 1 = error … 5 = trace. */
  maxLogLevel: number
  batchResults: boolean[] | undefined
  panicMessage: string | undefined
  /** Encoded `RuntimeVersion` of other runtime code (for ext_misc_runtime_version), or undefined. */
  runtimeVersionOf(code: Uint8Array): Uint8Array | undefined
  /** The allocator's view of memory, made once per context (allocation is the hottest host path). */
  allocMem?: AllocatorMemory
  /**
   * `ext_storage_proof_size_storage_proof_size_version_1`: the size of the storage proof recorded so
   * far. Undefined when no proof is being recorded: the function then answers u64::MAX, as Substrate does
   * without a `ProofSizeExt` (Cumulus runtimes read it to weigh blocks; only collators record proofs).
   */
  proofSize?: () => bigint
  /**
   * Signatures accepted without checking (Chopsticks' mock signing): 'magic' accepts a signature of
   * 0xdeadbeef followed by 0xcd bytes, 'always' accepts every one. Absent: every signature is checked.
   */
  signatureMock?: 'magic' | 'always'
  /** Replaces state-root computation (for backends that cannot enumerate the state). */
  roots?: StorageRoots
  /** The offchain context: when present `ext_offchain_*` work through it; absent, they trap. */
  offchain?: OffchainHost
}

/** How `ext_storage_root` / `ext_default_child_storage_root` are answered over a given overlay. */
export interface StorageRoots {
  root(overlay: OverlayStorage, version: StateVersion): Uint8Array
  childRoot(overlay: OverlayStorage, childKey: Uint8Array, version: StateVersion): Uint8Array
}

/** Offchain storage kinds (sp-core `StorageKind`). */
export const OFFCHAIN_PERSISTENT = 1
export const OFFCHAIN_LOCAL = 2

/** What `ext_offchain_*` reach: the node's offchain database, clock, randomness and transaction pool. */
export interface OffchainHost {
  isValidator(): boolean
  submitTransaction(tx: Uint8Array): boolean
  /** Unix time in milliseconds. */
  timestamp(): bigint
  randomSeed(): Uint8Array
  get(kind: number, key: Uint8Array): Uint8Array | undefined
  /** `value` null: clear. */
  set(kind: number, key: Uint8Array, value: Uint8Array | null): void
  /** Sets `value` if the current value is `old`; answers whether it did. */
  compareAndSet(kind: number, key: Uint8Array, old: Uint8Array | undefined, value: Uint8Array): boolean
}

export type TransactionIndexOperation =
  | { kind: 'index'; extrinsic: number; size: number; hash: Uint8Array }
  | { kind: 'renew'; extrinsic: number; hash: Uint8Array }

/** Thrown by `ext_panic_handler_abort_on_panic` to unwind out of the runtime. */
export class RuntimePanic extends Error {
  override readonly name = 'RuntimePanic'
}

type HostFn = (...args: (number | bigint)[]) => number | bigint | void

// --- memory helpers ---------------------------------------------------------------------------------
function view(ctx: HostContext): Uint8Array {
  return new Uint8Array(ctx.memory().buffer)
}
function read(ctx: HostContext, ptr: number, len: number): Uint8Array {
  const m = view(ctx)
  if (ptr < 0 || len < 0 || ptr + len > m.length) throw new ExecutorError('BadHostCall', `memory access out of bounds: ${ptr}+${len}`)
  return m.slice(ptr, ptr + len)
}
function readPs(ctx: HostContext, ps: number | bigint): Uint8Array {
  const v = BigInt(ps)
  return read(ctx, Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn))
}
function write(ctx: HostContext, ptr: number, bytes: Uint8Array): void {
  const m = view(ctx)
  if (ptr < 0 || ptr + bytes.length > m.length) throw new ExecutorError('BadHostCall', `memory write out of bounds: ${ptr}+${bytes.length}`)
  m.set(bytes, ptr)
}
function allocator(ctx: HostContext): AllocatorMemory {
  if (ctx.allocMem) return ctx.allocMem
  let buffer: ArrayBuffer | undefined
  let dv: DataView | undefined
  // the memory's buffer changes only when the memory grows: keep one DataView until then
  const view = (): DataView => {
    const b = ctx.memory().buffer
    if (b !== buffer) {
      buffer = b
      dv = new DataView(b)
    }
    return dv!
  }
  ctx.allocMem = {
    size: () => ctx.memory().buffer.byteLength,
    readU64: (p) => view().getBigUint64(p, true),
    writeU64: (p, v) => view().setBigUint64(p, v, true),
  }
  return ctx.allocMem
}
export function alloc(ctx: HostContext, bytes: Uint8Array): number {
  const ptr = ctx.allocator.allocate(allocator(ctx), bytes.length)
  write(ctx, ptr, bytes)
  return ptr
}
export function freePtr(ctx: HostContext, ptr: number): void {
  ctx.allocator.deallocate(allocator(ctx), ptr)
}
function retPs(ctx: HostContext, bytes: Uint8Array): bigint {
  const ptr = alloc(ctx, bytes)
  return BigInt(ptr) | (BigInt(bytes.length) << 32n)
}
const num = (x: number | bigint): number => Number(x) >>> 0

// --- SCALE helpers ----------------------------------------------------------------------------------
function optionBytes(v: Uint8Array | undefined): Uint8Array {
  const w = new Writer(v ? v.length + 5 : 1)
  w.option(v, (w2, x) => void w2.vecU8(x))
  return w.finish()
}
function decodeOptionU32(b: Uint8Array): number | undefined {
  const r = new Reader(b)
  const v = r.option((x) => x.u32())
  r.finish()
  return v
}
function decodeOptionBytes(b: Uint8Array): Uint8Array | undefined {
  const r = new Reader(b)
  const v = r.option((x) => x.vecU8())
  r.finish()
  return v
}
function decodeEntries(b: Uint8Array): Entry[] {
  const r = new Reader(b)
  const v = r.vec((x) => [x.vecU8(), x.vecU8()] as const, 2)
  r.finish()
  return v
}
function decodeVecBytes(b: Uint8Array): Uint8Array[] {
  const r = new Reader(b)
  const v = r.vec((x) => x.vecU8(), 1)
  r.finish()
  return v
}
function stateVersionArg(v: number | bigint): StateVersion {
  const n = Number(v)
  if (n !== 0 && n !== 1) throw new ExecutorError('BadHostCall', `invalid state version ${n}`)
  return n
}
type Removal = ReturnType<OverlayStorage['clearPrefix']>
/**
 * KillStorageResult: AllRemoved(u32) = 0, SomeRemaining(u32) = 1. Substrate converts from the removal's
 * `loops` (the pre-cursor meaning of the count), not from the keys actually deleted.
 */
function killResult(r: Removal): Uint8Array {
  return new Writer(5).u8(r.cursor === undefined ? 0 : 1).u32(r.loops).finish()
}
/** MultiRemovalResults { maybe_cursor: Option<Vec<u8>>, backend: u32, unique: u32, loops: u32 }. */
function multiRemoval(r: Removal): Uint8Array {
  const w = new Writer(16)
  w.option(r.cursor, (w2, c) => void w2.vecU8(c))
  return w.u32(r.backend).u32(r.backend + r.overlay).u32(r.loops).finish()
}

// --- storage operations shared by the top and child families -----------------------------------------
const CHILD_STORAGE_KEY_PREFIX = utf8(':child_storage:')
/**
 * Deletes the keys under `prefix` with Substrate's semantics (see `OverlayStorage.clearPrefix`). The top
 * trie refuses a prefix that overlaps `:child_storage:` (child roots are not deleted this way): nothing
 * is removed and the prefix comes back as the cursor, as in sp-state-machine.
 */
function clearPrefix(ctx: HostContext, prefix: Uint8Array, limit: number | undefined, childKey?: Uint8Array, cursor?: Uint8Array): Removal {
  if (childKey === undefined) {
    const overlaps = prefix.length > CHILD_STORAGE_KEY_PREFIX.length ? startsWith(prefix, CHILD_STORAGE_KEY_PREFIX) : startsWith(CHILD_STORAGE_KEY_PREFIX, prefix)
    if (overlaps) return { cursor: prefix, backend: 0, overlay: 0, loops: 0 }
  }
  return ctx.storage.clearPrefix(prefix, limit, cursor, childKey)
}
function readInto(ctx: HostContext, value: Uint8Array | undefined, out: number | bigint, offset: number): bigint {
  if (value === undefined) return retPs(ctx, new Uint8Array([0]))
  const o = BigInt(out)
  const outPtr = Number(o & 0xffffffffn)
  const outLen = Number(o >> 32n)
  const start = Math.min(offset, value.length)
  const chunk = value.subarray(start, start + outLen)
  write(ctx, outPtr, chunk)
  return retPs(ctx, new Writer(5).u8(1).u32(value.length - start).finish())
}
/** `ext_storage_append`: push one already-encoded item onto a SCALE `Vec` value. */
function appendToVec(existing: Uint8Array | undefined, item: Uint8Array): Uint8Array {
  if (existing !== undefined && existing.length > 0) {
    try {
      const r = new Reader(existing)
      const n = r.compactNumber(0xffffffff)
      const rest = existing.subarray(r.pos)
      return new Writer(existing.length + item.length + 5).compact(n + 1).bytes(rest).bytes(item).finish()
    } catch {
      // not a valid vector: replaced by a vector of the new item, as Substrate does
    }
  }
  return new Writer(item.length + 1).compact(1).bytes(item).finish()
}

// --- crypto -----------------------------------------------------------------------------------------
const SECP_N = secp256k1.Point.CURVE().n
/** Recovers the public key of an (r ++ s ++ v) signature over a 32-byte hash; a number is an EcdsaVerifyError. */
function secpRecover(sig: Uint8Array, hash: Uint8Array, allowOverflow: boolean): Uint8Array | 0 | 1 | 2 {
  let v = sig[64]
  if (v > 26) v -= 27
  if (v > 3) return 1 // BadV
  let r = BigInt(toHex(sig.subarray(0, 32)))
  let s = BigInt(toHex(sig.subarray(32, 64)))
  if (r >= SECP_N || s >= SECP_N) {
    if (!allowOverflow) return 0 // BadRS
    r %= SECP_N
    s %= SECP_N
  }
  if (r === 0n || s === 0n) return 2
  try {
    const point = new secp256k1.Signature(r, s, v).recoverPublicKey(hash)
    return point.toBytes(false)
  } catch {
    return 2 // BadSignature
  }
}
function ecdsaVerify(sig: Uint8Array, hash: Uint8Array, pub: Uint8Array): boolean {
  const rec = secpRecover(sig, hash, false)
  if (typeof rec === 'number') return false
  try {
    return toHex(secp256k1.Point.fromBytes(rec).toBytes(true)) === toHex(pub)
  } catch {
    return false
  }
}

// --- trie roots with either hasher --------------------------------------------------------------------
function rootOf(entries: Entry[], version: StateVersion, keccak: boolean): Uint8Array {
  if (!keccak) return blake2_256(buildRootNode(sortedEntries(entries), version))
  return keccakTrieRoot(entries, version)
}
function orderedEntries(values: Uint8Array[]): Entry[] {
  return values.map((v, i) => [new Writer(5).compact(i).finish(), v] as const)
}
/** Keccak-256 tries (ext_trie_keccak_*): same layout, other hasher. */
function keccakTrieRoot(entries: Entry[], version: StateVersion): Uint8Array {
  return keccak256(buildRootNode(sortedEntries(entries), version, undefined, keccak256))
}

/**
 * The key `ext_crypto_*_generate_version_1` makes from its seed argument: as Substrate, the seed is a
 * UTF-8 secret URI (`//Alice`, a phrase with junctions, a 0x-hex seed); anything else traps, as the
 * `expect` in sp-io does.
 */
export function keypairFromSeedArg(scheme: KeyScheme, seed: Uint8Array): DevKeypair {
  let suri: string
  try {
    suri = new TextDecoder('utf-8', { fatal: true }).decode(seed)
  } catch {
    throw new ExecutorError('Trap', 'key generation seed is not valid UTF-8')
  }
  try {
    return scheme === 'sr25519' ? sr25519FromSuri(suri) : scheme === 'ed25519' ? ed25519FromSuri(suri) : ecdsaFromSuri(suri)
  } catch (e) {
    throw new ExecutorError('Trap', `key generation seed is not a valid secret URI: ${(e as Error).message}`)
  }
}

export function levelName(level: number): string {
  return ['off', 'error', 'warn', 'info', 'debug', 'trace'][level] ?? String(level)
}

/** Builds the `env` import object for one call. */
export function hostFunctions(ctx: HostContext): Record<string, HostFn> {
  const st = () => ctx.storage
  const root = (v: StateVersion) => (ctx.roots ? ctx.roots.root(ctx.storage, v) : ctx.storage.root(v))
  const childRoot = (ck: Uint8Array, v: StateVersion) => (ctx.roots ? ctx.roots.childRoot(ctx.storage, ck, v) : ctx.storage.childRoot(ck, v))
  const childPs = (ps: number | bigint) => readPs(ctx, ps)
  const hashFn = (f: (d: Uint8Array) => Uint8Array) => (data: number | bigint) => alloc(ctx, f(readPs(ctx, data)))
  const keystore = (): Keystore => {
    if (!ctx.keystore) ctx.keystore = new Keystore()
    return ctx.keystore
  }
  const pubLen = (s: KeyScheme) => (s === 'ecdsa' ? 33 : 32)
  const keyFns = (s: KeyScheme): Record<string, HostFn> => ({
    [`ext_crypto_${s}_public_keys_version_1`]: (id) => {
      const keys = keystore().publicKeys(read(ctx, num(id), 4), s)
      const w = new Writer(keys.length * 33 + 5).compact(keys.length)
      for (const k of keys) w.bytes(k)
      return retPs(ctx, w.finish())
    },
    [`ext_crypto_${s}_generate_version_1`]: (id, seed) => {
      const seedBytes = decodeOptionBytes(readPs(ctx, seed))
      const keyType = read(ctx, num(id), 4)
      if (seedBytes === undefined) return alloc(ctx, keystore().insert(keyType, s, crypto.getRandomValues(new Uint8Array(32))))
      const pair = keypairFromSeedArg(s, seedBytes)
      return alloc(ctx, keystore().insertPair(keyType, s, pair.secret, pair.publicKey))
    },
    [`ext_crypto_${s}_sign_version_1`]: (id, pub, msg) =>
      retPs(ctx, optionFixed(keystore().sign(read(ctx, num(id), 4), s, read(ctx, num(pub), pubLen(s)), readPs(ctx, msg)))),
  })
  const optionFixed = (v: Uint8Array | undefined) => (v === undefined ? new Uint8Array([0]) : new Writer(v.length + 1).u8(1).bytes(v).finish())
  /** A signature check, unless the mock accepts this signature (Chopsticks' mock signing). */
  const checked = (sig: Uint8Array, verify: (sig: Uint8Array) => boolean): boolean => {
    const mock = ctx.signatureMock
    if (mock === 'always' || (mock === 'magic' && isMagicSignature(sig))) return true
    return verify(sig)
  }
  const verifyOrBatch = (ok: boolean): number => {
    if (ctx.batchResults) ctx.batchResults.push(ok)
    return ok ? 1 : 0
  }
  const recover = (compressed: boolean, allowOverflow: boolean): HostFn => (sig, msg) => {
    const rec = secpRecover(read(ctx, num(sig), 65), read(ctx, num(msg), 32), allowOverflow)
    if (typeof rec === 'number') return retPs(ctx, new Uint8Array([1, rec]))
    const key = compressed ? secp256k1.Point.fromBytes(rec).toBytes(true) : rec.subarray(1)
    return retPs(ctx, new Writer(key.length + 1).u8(0).bytes(key).finish())
  }
  const trieFns = (name: 'blake2_256' | 'keccak_256'): Record<string, HostFn> => {
    const keccak = name === 'keccak_256'
    // sp-io verifies these with trie-db's compact proof format (child references and proven values
    // omitted, rebuilt by the verifier); we do not implement that format, so the call traps — as in
    // smoldot — instead of answering a possibly different boolean than Substrate would.
    const verify = (): never => {
      throw new ExecutorError('Trap', `ext_trie_${name}_verify_proof is not supported (trie-db compact proofs)`)
    }
    return {
      [`ext_trie_${name}_root_version_1`]: (input) => alloc(ctx, rootOf(decodeEntries(readPs(ctx, input)), 0, keccak)),
      [`ext_trie_${name}_root_version_2`]: (input, v) => alloc(ctx, rootOf(decodeEntries(readPs(ctx, input)), stateVersionArg(v), keccak)),
      [`ext_trie_${name}_ordered_root_version_1`]: (input) => alloc(ctx, rootOf(orderedEntries(decodeVecBytes(readPs(ctx, input))), 0, keccak)),
      [`ext_trie_${name}_ordered_root_version_2`]: (input, v) => alloc(ctx, rootOf(orderedEntries(decodeVecBytes(readPs(ctx, input))), stateVersionArg(v), keccak)),
      [`ext_trie_${name}_verify_proof_version_1`]: verify,
      [`ext_trie_${name}_verify_proof_version_2`]: verify,
    }
  }

  const fns: Record<string, HostFn> = {
    // storage ---------------------------------------------------------------------------------------
    ext_storage_get_version_1: (key) => retPs(ctx, optionBytes(st().get(readPs(ctx, key)))),
    ext_storage_read_version_1: (key, out, offset) => readInto(ctx, st().get(readPs(ctx, key)), out, num(offset)),
    ext_storage_set_version_1: (key, value) => st().set(readPs(ctx, key), readPs(ctx, value)),
    ext_storage_clear_version_1: (key) => st().set(readPs(ctx, key), null),
    ext_storage_exists_version_1: (key) => (st().get(readPs(ctx, key)) !== undefined ? 1 : 0),
    ext_storage_clear_prefix_version_1: (prefix) => void clearPrefix(ctx, readPs(ctx, prefix), undefined),
    ext_storage_clear_prefix_version_2: (prefix, limit) => retPs(ctx, killResult(clearPrefix(ctx, readPs(ctx, prefix), decodeOptionU32(readPs(ctx, limit))))),
    ext_storage_clear_prefix_version_3: (prefix, limit, cursor) => retPs(ctx, multiRemoval(clearPrefix(ctx, readPs(ctx, prefix), decodeOptionU32(readPs(ctx, limit)), undefined, decodeOptionBytes(readPs(ctx, cursor))))),
    ext_storage_root_version_1: () => retPs(ctx, root(0)),
    ext_storage_root_version_2: (v) => retPs(ctx, root(stateVersionArg(v))),
    ext_storage_changes_root_version_1: () => retPs(ctx, new Uint8Array([0])),
    ext_storage_next_key_version_1: (key) => retPs(ctx, optionBytes(st().nextKey(readPs(ctx, key)))),
    ext_storage_append_version_1: (key, value) => {
      const k = readPs(ctx, key)
      st().set(k, appendToVec(st().get(k), readPs(ctx, value)))
    },
    ext_storage_proof_size_storage_proof_size_version_1: () => ctx.proofSize?.() ?? 0xffffffffffffffffn,
    ext_storage_start_transaction_version_1: () => st().startTransaction(),
    ext_storage_rollback_transaction_version_1: () => st().rollbackTransaction(),
    ext_storage_commit_transaction_version_1: () => st().commitTransaction(),

    // default child storage ---------------------------------------------------------------------------
    ext_default_child_storage_get_version_1: (ck, key) => retPs(ctx, optionBytes(st().get(readPs(ctx, key), childPs(ck)))),
    ext_default_child_storage_read_version_1: (ck, key, out, offset) => readInto(ctx, st().get(readPs(ctx, key), childPs(ck)), out, num(offset)),
    ext_default_child_storage_set_version_1: (ck, key, value) => st().set(readPs(ctx, key), readPs(ctx, value), childPs(ck)),
    ext_default_child_storage_clear_version_1: (ck, key) => st().set(readPs(ctx, key), null, childPs(ck)),
    ext_default_child_storage_exists_version_1: (ck, key) => (st().get(readPs(ctx, key), childPs(ck)) !== undefined ? 1 : 0),
    ext_default_child_storage_storage_kill_version_1: (ck) => void clearPrefix(ctx, new Uint8Array(), undefined, childPs(ck)),
    ext_default_child_storage_storage_kill_version_2: (ck, limit) => (clearPrefix(ctx, new Uint8Array(), decodeOptionU32(readPs(ctx, limit)), childPs(ck)).cursor === undefined ? 1 : 0),
    ext_default_child_storage_storage_kill_version_3: (ck, limit) => retPs(ctx, killResult(clearPrefix(ctx, new Uint8Array(), decodeOptionU32(readPs(ctx, limit)), childPs(ck)))),
    ext_default_child_storage_storage_kill_version_4: (ck, limit, cursor) => retPs(ctx, multiRemoval(clearPrefix(ctx, new Uint8Array(), decodeOptionU32(readPs(ctx, limit)), childPs(ck), decodeOptionBytes(readPs(ctx, cursor))))),
    ext_default_child_storage_clear_prefix_version_1: (ck, prefix) => void clearPrefix(ctx, readPs(ctx, prefix), undefined, childPs(ck)),
    ext_default_child_storage_clear_prefix_version_2: (ck, prefix, limit) => retPs(ctx, killResult(clearPrefix(ctx, readPs(ctx, prefix), decodeOptionU32(readPs(ctx, limit)), childPs(ck)))),
    ext_default_child_storage_clear_prefix_version_3: (ck, prefix, limit, cursor) => retPs(ctx, multiRemoval(clearPrefix(ctx, readPs(ctx, prefix), decodeOptionU32(readPs(ctx, limit)), childPs(ck), decodeOptionBytes(readPs(ctx, cursor))))),
    ext_default_child_storage_root_version_1: (ck) => retPs(ctx, childRoot(childPs(ck), 0)),
    ext_default_child_storage_root_version_2: (ck, v) => retPs(ctx, childRoot(childPs(ck), stateVersionArg(v))),
    ext_default_child_storage_next_key_version_1: (ck, key) => retPs(ctx, optionBytes(st().nextKey(readPs(ctx, key), childPs(ck)))),

    // hashing ---------------------------------------------------------------------------------------
    ext_hashing_keccak_256_version_1: hashFn(keccak256),
    ext_hashing_keccak_512_version_1: hashFn((d) => keccak_512(d)),
    ext_hashing_sha2_256_version_1: hashFn(sha2_256),
    ext_hashing_blake2_128_version_1: hashFn(blake2_128),
    ext_hashing_blake2_256_version_1: hashFn(blake2_256),
    ext_hashing_twox_64_version_1: hashFn(twox64),
    ext_hashing_twox_128_version_1: hashFn(twox128),
    ext_hashing_twox_256_version_1: hashFn(twox256),

    // crypto ----------------------------------------------------------------------------------------
    ...keyFns('ed25519'),
    ...keyFns('sr25519'),
    ...keyFns('ecdsa'),
    ext_crypto_ecdsa_sign_prehashed_version_1: (id, pub, msg) => {
      const ks = keystore()
      const sig = ks.sign(read(ctx, num(id), 4), 'ecdsa', read(ctx, num(pub), 33), read(ctx, num(msg), 32), true)
      return retPs(ctx, optionFixed(sig))
    },
    ext_crypto_ed25519_verify_version_1: (sig, msg, pub) => (checked(read(ctx, num(sig), 64), (s) => ed25519Verify(s, readPs(ctx, msg), read(ctx, num(pub), 32))) ? 1 : 0),
    ext_crypto_sr25519_verify_version_1: (sig, msg, pub) => (checked(read(ctx, num(sig), 64), (s) => sr25519VerifyDeprecated(s, readPs(ctx, msg), read(ctx, num(pub), 32))) ? 1 : 0),
    ext_crypto_sr25519_verify_version_2: (sig, msg, pub) => (checked(read(ctx, num(sig), 64), (s) => sr25519Verify(s, readPs(ctx, msg), read(ctx, num(pub), 32))) ? 1 : 0),
    ext_crypto_ecdsa_verify_version_1: (sig, msg, pub) => (checked(read(ctx, num(sig), 65), (s) => ecdsaVerify(s, blake2_256(readPs(ctx, msg)), read(ctx, num(pub), 33))) ? 1 : 0),
    ext_crypto_ecdsa_verify_version_2: (sig, msg, pub) => (checked(read(ctx, num(sig), 65), (s) => ecdsaVerify(s, blake2_256(readPs(ctx, msg)), read(ctx, num(pub), 33))) ? 1 : 0),
    ext_crypto_ecdsa_verify_prehashed_version_1: (sig, msg, pub) => (checked(read(ctx, num(sig), 65), (s) => ecdsaVerify(s, read(ctx, num(msg), 32), read(ctx, num(pub), 33))) ? 1 : 0),
    ext_crypto_ed25519_batch_verify_version_1: (sig, msg, pub) => verifyOrBatch(checked(read(ctx, num(sig), 64), (s) => ed25519Verify(s, readPs(ctx, msg), read(ctx, num(pub), 32)))),
    ext_crypto_sr25519_batch_verify_version_1: (sig, msg, pub) => verifyOrBatch(checked(read(ctx, num(sig), 64), (s) => sr25519Verify(s, readPs(ctx, msg), read(ctx, num(pub), 32)))),
    ext_crypto_ecdsa_batch_verify_version_1: (sig, msg, pub) => verifyOrBatch(checked(read(ctx, num(sig), 65), (s) => ecdsaVerify(s, blake2_256(readPs(ctx, msg)), read(ctx, num(pub), 33)))),
    ext_crypto_start_batch_verify_version_1: () => {
      if (ctx.batchResults) throw new ExecutorError('BadHostCall', 'batch verification already started')
      ctx.batchResults = []
    },
    ext_crypto_finish_batch_verify_version_1: () => {
      if (!ctx.batchResults) throw new ExecutorError('BadHostCall', 'batch verification not started')
      const ok = ctx.batchResults.every(Boolean)
      ctx.batchResults = undefined
      return ok ? 1 : 0
    },
    ext_crypto_secp256k1_ecdsa_recover_version_1: recover(false, true),
    ext_crypto_secp256k1_ecdsa_recover_version_2: recover(false, false),
    ext_crypto_secp256k1_ecdsa_recover_compressed_version_1: recover(true, true),
    ext_crypto_secp256k1_ecdsa_recover_compressed_version_2: recover(true, false),

    // trie ------------------------------------------------------------------------------------------
    ...trieFns('blake2_256'),
    ...trieFns('keccak_256'),

    // misc, allocator, logging ----------------------------------------------------------------------
    ext_misc_print_num_version_1: (n) => void ctx.logs.push({ level: 4, target: 'runtime', message: String(BigInt.asUintN(64, BigInt(n))), print: 'num' }),
    ext_misc_print_utf8_version_1: (s) => void ctx.logs.push({ level: 4, target: 'runtime', message: utf8Lossy(readPs(ctx, s)), print: 'utf8' }),
    ext_misc_print_hex_version_1: (s) => void ctx.logs.push({ level: 4, target: 'runtime', message: toHex(readPs(ctx, s)), print: 'hex' }),
    ext_misc_runtime_version_version_1: (code) => retPs(ctx, optionBytes(ctx.runtimeVersionOf(readPs(ctx, code)))),
    ext_allocator_malloc_version_1: (size) => ctx.allocator.allocate(allocator(ctx), num(size)),
    ext_allocator_free_version_1: (ptr) => freePtr(ctx, num(ptr)),
    ext_logging_log_version_1: (level, target, message) => {
      // LogLevel crosses the boundary as its variant index (Error = 0 … Trace = 4); we store 1..5 like
      // LevelFilter (the value ext_logging_max_level returns: Off = 0, Error = 1 … Trace = 5).
      const l = num(level) + 1
      const msg = utf8Lossy(readPs(ctx, message))
      // Runtimes report panics through an error log before trapping: keep it as the panic message.
      if (l === 1) ctx.panicMessage = msg
      if (l <= ctx.maxLogLevel) ctx.logs.push({ level: l, target: utf8Lossy(readPs(ctx, target)), message: msg })
    },
    ext_logging_max_level_version_1: () => ctx.maxLogLevel,
    ext_panic_handler_abort_on_panic_version_1: (message) => {
      ctx.panicMessage = utf8Lossy(readPs(ctx, message))
      throw new RuntimePanic(ctx.panicMessage)
    },

    // offchain worker context (trapping without one) -------------------------------------------------
    ...offchainFns(ctx),

    // offchain indexing and transaction indexing (recorded / no-ops for block execution) -------------
    ext_offchain_index_set_version_1: (key, value) => void ctx.offchainIndex.push([readPs(ctx, key), readPs(ctx, value)]),
    ext_offchain_index_clear_version_1: (key) => void ctx.offchainIndex.push([readPs(ctx, key), null]),
    // recorded for the caller (a node storing indexed transactions would act on them; ours does not keep
    // indexed transaction data, so they only appear in the call result)
    ext_transaction_index_index_version_1: (extrinsic, size, hash) => void ctx.transactionIndex.push({ kind: 'index', extrinsic: num(extrinsic), size: num(size), hash: read(ctx, num(hash), 32) }),
    ext_transaction_index_renew_version_1: (extrinsic, hash) => void ctx.transactionIndex.push({ kind: 'renew', extrinsic: num(extrinsic), hash: read(ctx, num(hash), 32) }),
  }
  return fns
}

/** Chopsticks' mock signature: 0xdeadbeef, then only 0xcd bytes. */
export function isMagicSignature(sig: Uint8Array): boolean {
  if (sig.length < 4 || sig[0] !== 0xde || sig[1] !== 0xad || sig[2] !== 0xbe || sig[3] !== 0xef) return false
  for (let i = 4; i < sig.length; i++) if (sig[i] !== 0xcd) return false
  return true
}

/**
 * `ext_offchain_*` over the call's offchain context. The functions of an offchain worker that a node
 * would answer from its network (`network_state`, `sleep_until`, `http_*`) are not offered and trap,
 * as in smoldot.
 */
function offchainFns(ctx: HostContext): Record<string, HostFn> {
  const oc = (name: string): OffchainHost => {
    if (!ctx.offchain) throw new ExecutorError('Trap', `ext_offchain_${name} is only available in an offchain-worker context`)
    return ctx.offchain
  }
  const kindOf = (k: number | bigint): number => {
    const kind = num(k)
    if (kind !== OFFCHAIN_PERSISTENT && kind !== OFFCHAIN_LOCAL) throw new ExecutorError('BadHostCall', `invalid offchain storage kind ${kind}`)
    return kind
  }
  const unsupported = (name: string) => () => {
    oc(name)
    throw new ExecutorError('Trap', `ext_offchain_${name} is not supported`)
  }
  return {
    ext_offchain_is_validator_version_1: () => (oc('is_validator').isValidator() ? 1 : 0),
    ext_offchain_submit_transaction_version_1: (tx) => retPs(ctx, new Uint8Array([oc('submit_transaction').submitTransaction(readPs(ctx, tx)) ? 0 : 1])),
    ext_offchain_timestamp_version_1: () => BigInt.asIntN(64, oc('timestamp').timestamp()),
    ext_offchain_random_seed_version_1: () => alloc(ctx, oc('random_seed').randomSeed()),
    ext_offchain_local_storage_get_version_1: (kind, key) => retPs(ctx, optionBytes(oc('local_storage_get').get(kindOf(kind), readPs(ctx, key)))),
    ext_offchain_local_storage_set_version_1: (kind, key, value) => oc('local_storage_set').set(kindOf(kind), readPs(ctx, key), readPs(ctx, value)),
    ext_offchain_local_storage_clear_version_1: (kind, key) => oc('local_storage_clear').set(kindOf(kind), readPs(ctx, key), null),
    ext_offchain_local_storage_compare_and_set_version_1: (kind, key, old, value) =>
      oc('local_storage_compare_and_set').compareAndSet(kindOf(kind), readPs(ctx, key), decodeOptionBytes(readPs(ctx, old)), readPs(ctx, value)) ? 1 : 0,
    ext_offchain_network_state_version_1: unsupported('network_state'),
    ext_offchain_sleep_until_version_1: unsupported('sleep_until'),
    ext_offchain_http_request_start_version_1: unsupported('http_request_start'),
    ext_offchain_http_request_add_header_version_1: unsupported('http_request_add_header'),
    ext_offchain_http_request_write_body_version_1: unsupported('http_request_write_body'),
    ext_offchain_http_response_wait_version_1: unsupported('http_response_wait'),
    ext_offchain_http_response_headers_version_1: unsupported('http_response_headers'),
    ext_offchain_http_response_read_body_version_1: unsupported('http_response_read_body'),
  }
}

function utf8Lossy(b: Uint8Array): string {
  try {
    return fromUtf8(b)
  } catch {
    return new TextDecoder().decode(b)
  }
}

/**
 * Imports that exist only in an offchain-worker or sandbox context: provided, as Substrate does, but
 * calling them outside that context traps with a clear message.
 */
export function isContextOnlyImport(name: string): boolean {
  return name.startsWith('ext_offchain_') || name.startsWith('ext_sandbox_')
}
