// The asynchronous view of one chain that the JSON-RPC method families are written against, so that one
// implementation of each family serves both the full node (answers from its database, at once) and the
// light client (answers from peers' proofs, checked against the block's header). Blocks are known by
// hash; their headers are known synchronously (both sides verified or stored them), everything else
// may come from the network. `ChainAccessError` means "nobody could answer" (the spec's
// `operationInaccessible`), not "the answer is an error": a runtime's own failure is an ExecutorError.

import type { RuntimeVersion } from '../executor/index.ts'
import type { Header } from '../header/index.ts'

export interface BlockRef {
  hash: Uint8Array
  header: Header
}

/** What the chain reports as blocks are verified (or imported) and finalized. */
export type ChainEvent =
  | { kind: 'newBlock'; hash: Uint8Array; header: Header }
  | { kind: 'bestChanged'; hash: Uint8Array }
  /** `hashes`: the newly finalized blocks, oldest first (the last is the new finalized block). */
  | { kind: 'finalized'; hashes: Uint8Array[]; pruned: Uint8Array[] }
  /** The chain jumped (a light client warped while following): what was reported before is gone. */
  | { kind: 'reset' }

/** Why a question about the chain could not be answered (unknown block, state discarded, no peer could prove it). */
export class ChainAccessError extends Error {
  override readonly name = 'ChainAccessError'
}

export interface ChainAccess {
  readonly genesisHash: Uint8Array
  /** Resolves once the finalized block and its runtime are known (at once for a node). */
  readonly ready: Promise<void>
  finalized(): BlockRef
  best(): BlockRef
  /** The non-finalized blocks, parents before children. */
  blocksAbove(): Iterable<BlockRef>
  /** The hash of the block at `number` on the best chain (finalized or not), when the chain knows it. */
  hashAt(number: number): Uint8Array | undefined
  /** The block's GRANDPA justification, when the chain keeps one. */
  justification?(hash: Uint8Array): Uint8Array | undefined
  /** The body and the GRANDPA justification peers hold for the block, in one request (a light client's `chain_getBlock`). */
  bodyWithJustification?(hash: Uint8Array): Promise<{ body: Uint8Array[]; justification?: Uint8Array }>
  /** The header of a known block (pinned blocks stay known after they are pruned), else undefined. */
  header(hash: Uint8Array): Header | undefined
  /**
   * The header of a block not known here (a light client's blocks older than its starting point), asked
   * of peers and checked against its hash; known afterwards. Undefined when nobody has it. Optional: a
   * node knows every block it has.
   */
  lookupHeader?(hash: Uint8Array): Promise<Header | undefined>
  /**
   * Events in the order the spec needs them: `newBlock` parents first; a `bestChanged` away from a block
   * that finality prunes comes before that `finalized`.
   */
  onEvent(fn: (e: ChainEvent) => void): () => void
  /**
   * A follow holds the block (pins nest): its header stays known, and answerable, until as many `unpin`s
   * (the spec: a pinned block never leaves memory). Optional: a node that keeps every header needs neither.
   */
  pin?(hash: Uint8Array): void
  unpin?(hash: Uint8Array): void
  body(hash: Uint8Array): Promise<Uint8Array[]>
  /** Values of `keys` at `hash` (undefined when absent), in the main trie or in a default child trie. */
  storage(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<(Uint8Array | undefined)[]>
  /** The Merkle value of the closest trie node at or below `key`, undefined when there is none. */
  closestDescendantMerkleValue(hash: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Promise<Uint8Array | undefined>
  /**
   * Every entry whose key starts with `prefix` (the prefix itself included), in key order; `startAfter`
   * lets an implementation skip keys up to it (callers still filter).
   */
  descendants(hash: Uint8Array, prefix: Uint8Array, childKey?: Uint8Array, startAfter?: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>
  /** The trie nodes proving `keys` at `hash` (`state_getReadProof`). */
  readProof(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<Uint8Array[]>
  /** Runs a runtime function at `hash`: its output, or an ExecutorError from the runtime. */
  call(hash: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array>
  runtimeVersion(hash: Uint8Array): Promise<RuntimeVersion>
  /** Whether the block's runtime differs from its parent's (`newRuntime` in `newBlock`). */
  runtimeChanged(hash: Uint8Array): boolean
}
