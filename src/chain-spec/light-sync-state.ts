// Decoding of a chain spec's `lightSyncState` checkpoint (sc-sync-state-rpc LightSyncState): the
// finalized header, BABE epoch changes (an sc-consensus-epochs fork tree plus the epochs it points to)
// and the GRANDPA authority set (sc-consensus-grandpa AuthoritySet). Pure SCALE decoding.

import { Reader } from '../codec/index.ts'
import { decodeHeader, readAuthority, readBabeConfig, type Authority, type BabeConfig, type Header } from '../header/index.ts'

export interface BabeEpoch {
  epochIndex: bigint
  startSlot: bigint
  duration: bigint
  authorities: Authority[]
  randomness: Uint8Array
  config: BabeConfig
}

/** An epoch as persisted by sc-consensus-epochs: the genesis pair (epoch 0 and 1) or a regular one. */
export type PersistedEpoch = { kind: 'genesis'; epochs: [BabeEpoch, BabeEpoch] } | { kind: 'regular'; epoch: BabeEpoch }

export interface PersistedForkTreeNode<T> {
  hash: Uint8Array
  number: number
  data: T
  children: PersistedForkTreeNode<T>[]
}
export interface PersistedForkTree<T> {
  roots: PersistedForkTreeNode<T>[]
  bestFinalizedNumber: number | undefined
}

export type EpochHeader = { startSlot: bigint; endSlot: bigint }
export type PersistedEpochHeader = { kind: 'genesis'; headers: [EpochHeader, EpochHeader] } | { kind: 'regular'; header: EpochHeader }

export interface BabeEpochChanges {
  tree: PersistedForkTree<PersistedEpochHeader>
  /** Epochs keyed by the block (hash, number) that announced them. */
  epochs: { blockHash: Uint8Array; blockNumber: number; epoch: PersistedEpoch }[]
  /** Bytes after the epochs: newer Substrate appends an optional `gap` (warp-sync gap epochs). */
  trailing: Uint8Array
}

export interface GrandpaPendingChange {
  nextAuthorities: Authority[]
  delay: number
  canonHeight: number
  canonHash: Uint8Array
  delayKind: { kind: 'finalized' } | { kind: 'best'; medianLastFinalized: number }
}

export interface GrandpaAuthoritySet {
  currentAuthorities: Authority[]
  setId: bigint
  pendingStandardChanges: PersistedForkTree<GrandpaPendingChange>
  pendingForcedChanges: GrandpaPendingChange[]
  /** (set id, block number) of past set changes; absent in checkpoints older than 2021-01. */
  authoritySetChanges: [bigint, number][]
}

export interface LightSyncState {
  finalizedBlockHeader: Header
  babeEpochChanges: BabeEpochChanges
  babeFinalizedBlockWeight: number
  grandpaAuthoritySet: GrandpaAuthoritySet
}

function readForkTree<T>(r: Reader, item: (r: Reader) => T): PersistedForkTree<T> {
  const node = (depth: number): PersistedForkTreeNode<T> => {
    if (depth > 10_000) throw new RangeError('fork tree too deep')
    const hash = r.bytes_(32)
    const number = r.u32()
    const data = item(r)
    const children = r.vec(() => node(depth + 1), 37)
    return { hash, number, data, children }
  }
  const roots = r.vec(() => node(0), 37)
  const bestFinalizedNumber = r.option((x) => x.u32())
  return { roots, bestFinalizedNumber }
}

function readEpochHeader(r: Reader): EpochHeader {
  return { startSlot: r.u64(), endSlot: r.u64() }
}

function readPersistedEpochHeader(r: Reader): PersistedEpochHeader {
  return r.variant(2) === 0 ? { kind: 'genesis', headers: [readEpochHeader(r), readEpochHeader(r)] } : { kind: 'regular', header: readEpochHeader(r) }
}

export function readBabeEpoch(r: Reader): BabeEpoch {
  return {
    epochIndex: r.u64(),
    startSlot: r.u64(),
    duration: r.u64(),
    authorities: r.vec(readAuthority, 40),
    randomness: r.bytes_(32),
    config: readBabeConfig(r),
  }
}

function readPersistedEpoch(r: Reader): PersistedEpoch {
  return r.variant(2) === 0 ? { kind: 'genesis', epochs: [readBabeEpoch(r), readBabeEpoch(r)] } : { kind: 'regular', epoch: readBabeEpoch(r) }
}

/**
 * Decodes `babeEpochChanges`. Substrate appended a `gap` field after the epochs in later versions;
 * like smoldot we keep those bytes aside (`trailing`) so checkpoints of every age decode.
 */
export function decodeBabeEpochChanges(bytes: Uint8Array): BabeEpochChanges {
  const r = new Reader(bytes)
  const tree = readForkTree(r, readPersistedEpochHeader)
  const epochs = r.vec((x) => ({ blockHash: x.bytes_(32), blockNumber: x.u32(), epoch: readPersistedEpoch(x) }), 37)
  return { tree, epochs, trailing: r.bytes_(r.remaining) }
}

function readPendingChange(r: Reader): GrandpaPendingChange {
  const nextAuthorities = r.vec(readAuthority, 40)
  const delay = r.u32()
  const canonHeight = r.u32()
  const canonHash = r.bytes_(32)
  const delayKind = r.variant(2) === 0 ? ({ kind: 'finalized' } as const) : ({ kind: 'best', medianLastFinalized: r.u32() } as const)
  return { nextAuthorities, delay, canonHeight, canonHash, delayKind }
}

/** Decodes `grandpaAuthoritySet`; the trailing `authority_set_changes` list may be absent (old checkpoints). */
export function decodeGrandpaAuthoritySet(bytes: Uint8Array): GrandpaAuthoritySet {
  const r = new Reader(bytes)
  const currentAuthorities = r.vec(readAuthority, 40)
  const setId = r.u64()
  const pendingStandardChanges = readForkTree(r, readPendingChange)
  const pendingForcedChanges = r.vec(readPendingChange, 41)
  const authoritySetChanges = r.remaining > 0 ? r.vec((x) => [x.u64(), x.u32()] as [bigint, number], 12) : []
  r.finish()
  return { currentAuthorities, setId, pendingStandardChanges, pendingForcedChanges, authoritySetChanges }
}

/** The checkpoint's finalized header (a plain SCALE header). */
export const decodeFinalizedHeader = decodeHeader
