// Block authoring and import with execution, over in-memory state (the database will store the same
// states later). Authoring follows Substrate's BlockBuilder: Core_initialize_block with the consensus
// pre-digest, the inherents from BlockBuilder_inherent_extrinsics (timestamp, BABE slot, parachains…),
// BlockBuilder_apply_extrinsic for each extrinsic, BlockBuilder_finalize_block, then the seal. The
// consensus parts (pre-digest, inherent data, seal) come from the caller (`slot-authoring.ts`). Import re-executes the block with
// Core_execute_block on the parent state (the runtime checks the state and extrinsics roots).

import { Reader, Writer, bytesEqual, concatBytes, utf8 } from '../codec/index.ts'
import { MemoryStorage, Runtime, type StorageChanges } from '../executor/index.ts'
import { AURA_ENGINE, decodeHeader, encodeHeader, headerHash, preSealHash, unsealedHeader, type Header } from '../header/index.ts'
import type { DevKeypair } from '../crypto/index.ts'
import { stateVersionAt } from './runtime-apis.ts'

export interface Block {
  header: Header
  /** Complete extrinsics (each already carrying its compact length prefix inside, as SCALE Vec items). */
  body: Uint8Array[]
}

export class BlockError extends Error {
  override readonly name = 'BlockError'
  constructor(
    readonly code: 'ExtrinsicFailed' | 'InherentFailed' | 'BadRuntimeOutput' | 'ExecutionFailed',
    message: string,
  ) {
    super(message)
  }
}

const CODE = utf8(':code')

/** The state after `changes`: a new MemoryStorage (the parent is left untouched). */
export function applyChanges(parent: MemoryStorage, changes: StorageChanges): MemoryStorage {
  return parent.withChanges(changes)
}

function runtimeOf(state: MemoryStorage): Runtime {
  const code = state.get(CODE)
  if (!code) throw new BlockError('ExecutionFailed', 'state has no :code')
  return Runtime.load(code)
}

/** SCALE `InherentData` (a BTreeMap of 8-byte identifiers to encoded values, in identifier order). */
export function inherentData(items: Record<string, Uint8Array>): Uint8Array {
  const ids = Object.keys(items).sort()
  const w = new Writer(64).compact(ids.length)
  for (const id of ids) {
    if (utf8(id).length !== 8) throw new TypeError(`inherent identifier ${id} is not 8 bytes`)
    w.bytes(utf8(id)).vecU8(items[id])
  }
  return w.finish()
}

/** SCALE `InherentData` with the timestamp inherent (`timstap0` → u64 milliseconds). */
export function timestampInherentData(timestampMs: bigint): Uint8Array {
  return inherentData({ timstap0: new Writer(8).u64(timestampMs).finish() })
}

/** Encodes a block for Core_execute_block: header ++ Vec<extrinsic>. */
export function encodeBlock(b: Block): Uint8Array {
  return concatBytes(encodeHeader(b.header), new Writer(5).compact(b.body.length).finish(), ...b.body)
}

export interface AuthorParams {
  parent: Header
  parentState: MemoryStorage
  slot: bigint
  timestampMs: bigint
  /** Signed extrinsics from the pool, applied after the inherents; failing ones are skipped. */
  extrinsics?: Uint8Array[]
  author: DevKeypair
}

export interface Authored {
  block: Block
  state: MemoryStorage
  /** Pool extrinsics that were included / rejected by the runtime / left for a later block (the block was full). */
  included: Uint8Array[]
  rejected: Uint8Array[]
  deferred: Uint8Array[]
}

/** A block to author on `parent`, whatever the consensus: its pre-runtime digest, inherent data and seal. */
export interface BlockDraft {
  parent: Header
  parentState: MemoryStorage
  preDigest: Header['digest'][number]
  inherentData: Uint8Array
  /** Signed extrinsics from the pool, applied after the inherents; failing ones are skipped. */
  extrinsics?: Uint8Array[]
  /** The header as the runtime finalized it, sealed by the author. */
  seal: (header: Header) => Header
}

/** Authors an Aura block on `parent`. */
export function authorAuraBlock(p: AuthorParams): Authored {
  return authorBlock({
    parent: p.parent,
    parentState: p.parentState,
    preDigest: { type: 'preRuntime', engine: AURA_ENGINE, payload: new Writer(8).u64(p.slot).finish() },
    inherentData: timestampInherentData(p.timestampMs),
    extrinsics: p.extrinsics,
    seal: (header) => ({ ...header, digest: [...header.digest, { type: 'seal', engine: AURA_ENGINE, payload: p.author.sign(preSealHash(header)) }] }),
  })
}

/** Authors a block on `parent` by executing the runtime's block builder. */
export function authorBlock(p: BlockDraft): Authored {
  const rt = runtimeOf(p.parentState)
  const draft: Header = { parentHash: headerHash(p.parent), number: p.parent.number + 1, stateRoot: new Uint8Array(32), extrinsicsRoot: new Uint8Array(32), digest: [p.preDigest] }
  let state = applyChanges(p.parentState, rt.call('Core_initialize_block', encodeHeader(draft), { storage: p.parentState }).changes)
  const inherents = new Reader(rt.call('BlockBuilder_inherent_extrinsics', p.inherentData, { storage: state }).output).vec((r) => {
    const start = r.pos
    const len = r.compactNumber()
    r.bytes_(len)
    return r.bytes.slice(start, r.pos) // keep the compact length prefix: the body item as encoded
  })
  const body: Uint8Array[] = []
  const apply = (ext: Uint8Array): 'included' | 'rejected' | 'deferred' => {
    const res = rt.call('BlockBuilder_apply_extrinsic', ext, { storage: state })
    // ApplyExtrinsicResult = Result<Result<(), DispatchError>, TransactionValidityError>; 0x00 0x00 = Ok(Ok(()))
    // A dispatch error (0x00 0x01 ..) still includes the extrinsic (fees are paid); validity errors (0x01) do not.
    // Invalid(ExhaustsResources) (0x01 0x00 0x06) only means this block is full: it waits for the next one.
    if (res.output[0] !== 0) return res.output[1] === 0 && res.output[2] === 6 ? 'deferred' : 'rejected'
    state = applyChanges(state, res.changes)
    body.push(ext)
    return 'included'
  }
  for (const ext of inherents) if (apply(ext) !== 'included') throw new BlockError('InherentFailed', 'the runtime rejected its own inherent')
  const out = { included: [] as Uint8Array[], rejected: [] as Uint8Array[], deferred: [] as Uint8Array[] }
  for (const ext of p.extrinsics ?? []) out[apply(ext)].push(ext)
  const fin = rt.call('BlockBuilder_finalize_block', new Uint8Array(), { storage: state })
  state = applyChanges(state, fin.changes)
  let header: Header
  try {
    header = decodeHeader(fin.output)
  } catch (e) {
    throw new BlockError('BadRuntimeOutput', `finalize_block returned a bad header: ${(e as Error).message}`)
  }
  return { block: { header: p.seal(header), body }, state, ...out }
}

/**
 * Imports a block by executing it on the parent state; returns the new state. The runtime itself
 * checks the state root and extrinsics root against the header (and panics when they differ).
 */
export function executeBlock(parentState: MemoryStorage, block: Block): MemoryStorage {
  const rt = runtimeOf(parentState)
  let changes: StorageChanges
  let root: Uint8Array
  try {
    // the seal is a post-digest: the runtime executes the header without it
    const res = rt.call('Core_execute_block', encodeBlock({ header: unsealedHeader(block.header), body: block.body }), { storage: parentState })
    changes = res.changes
    // the root in the executing runtime's state version (the parent's code: an upgrade applies next block)
    root = res.stateRoot(stateVersionAt(parentState))
  } catch (e) {
    throw new BlockError('ExecutionFailed', `block #${block.header.number} does not execute: ${(e as Error).message}`)
  }
  if (!bytesEqual(root, block.header.stateRoot)) throw new BlockError('ExecutionFailed', `state root mismatch after executing #${block.header.number}`)
  return applyChanges(parentState, changes)
}
