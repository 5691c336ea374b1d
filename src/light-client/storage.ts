// Proof-backed reads for the light client (service: asks peers through the network service): storage
// values, child-trie values, closest-descendant Merkle values, descendants of a prefix by proof-guided
// walks, and block bodies — each checked against the block's header (state root, extrinsics root). A peer
// whose proof or body does not check out is banned and the next peer asked. The genesis state, when the
// chain spec holds it, answers genesis questions without a peer.

import { bytesEqual, compareBytes, concatBytes, toHex } from '../codec/index.ts'
import type { MemoryStorage } from '../executor/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, grandpaJustificationOf } from '../network/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, DescendantsWalk, NodeMap, decodeProof, lookupValue, orderedTrieRoot, TrieProof, type MerkleValueLookup, type ProofLookup } from '../trie/index.ts'
import { ChainAccessError } from '../json-rpc/index.ts'
import type { NetworkService } from './network-service.ts'
import type { BlockLookup } from './known-blocks.ts'

/** One trie at a block (the main trie, or a default child trie), as far as one proof shows it. */
export interface TrieView {
  get(key: Uint8Array): ProofLookup
  closestDescendantMerkleValue(key: Uint8Array): MerkleValueLookup
}

/** A block a read is about: its hash (what peers are asked for) and its header (what the answer is checked against). */
export interface BlockAt {
  hash: Uint8Array
  header: Header
}

/**
 * The root of the trie a read is about, reached through `nodes` from the block's state root: the state
 * root itself, or a default child trie's root read from the main trie; undefined when the state proves
 * the child trie absent. Throws when the nodes do not reach it (a bad proof).
 */
function trieRoot(nodes: NodeMap, stateRoot: Uint8Array, childKey: Uint8Array | undefined): Uint8Array | undefined {
  if (!nodes.has(stateRoot)) throw new Error('read proof without the state root')
  if (!childKey) return stateRoot
  const r = lookupValue(nodes, stateRoot, concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey))
  if (r.kind === 'unknown') throw new Error('the proof does not reach the child trie')
  if (r.kind === 'absent') return undefined
  if (!nodes.has(r.value)) throw new Error('the proof lacks the child trie root node')
  return r.value
}

/** The view of a child trie that the state proves absent. */
const NO_TRIE: TrieView = { get: () => ({ kind: 'absent' }), closestDescendantMerkleValue: () => ({ kind: 'none' }) }

export class ProvenStorage {
  constructor(
    private readonly net: NetworkService,
    private readonly blocks: BlockLookup,
    /** The genesis state when `hash` is the genesis block and the spec holds it. */
    readonly local: (hash: Uint8Array) => MemoryStorage | undefined,
  ) {}

  /** A known block, or a ChainAccessError. */
  block(hash: Uint8Array): BlockAt {
    const header = this.blocks.header(hash)
    if (!header) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    return { hash, header }
  }

  /**
   * A read proof for `keys` at `at` (in the default child trie `childKey` when given), checked against
   * the block's state root: the view of the trie it proves. A bad proof bans its sender.
   */
  async read(at: BlockAt, keys: Uint8Array[], childKey?: Uint8Array): Promise<{ view: TrieView; nodes: Uint8Array[] }> {
    const { hash, header } = at
    return this.net.withPeers({ hash, number: header.number }, 'storage', async (peer) => {
      const proof = await this.net.host.requestProof(peer, childKey ? { kind: 'readChild', block: hash, childKey, keys } : { kind: 'read', block: hash, keys })
      if (!proof) return undefined
      try {
        const nodes = decodeProof(proof)
        const map = new NodeMap()
        map.add(nodes)
        const root = trieRoot(map, header.stateRoot, childKey)
        if (!root) return { view: NO_TRIE, nodes }
        const view = TrieProof.over(root, map)
        for (const k of keys) if (view.get(k).kind === 'unknown') throw new Error(`the proof does not cover ${toHex(k)}`)
        return { view, nodes }
      } catch (e) {
        this.net.ban(peer, `bad read proof: ${(e as Error).message}`)
        throw e
      }
    })
  }

  /** The nodes of a checked read proof of `keys` at `hash` (`state_getReadProof`). */
  async readProof(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<Uint8Array[]> {
    return (await this.read(this.block(hash), keys, childKey)).nodes
  }

  /** Values of `keys` at `hash` (undefined when proven absent), from one read proof. */
  async values(hash: Uint8Array, keys: Uint8Array[], childKey?: Uint8Array): Promise<(Uint8Array | undefined)[]> {
    const state = this.local(hash)
    if (state) return keys.map((k) => (childKey ? state.childGet(childKey, k) : state.get(k)))
    const { view } = await this.read(this.block(hash), keys, childKey)
    return keys.map((k) => {
      const r = view.get(k)
      return r.kind === 'value' ? r.value : undefined
    })
  }

  async closestDescendantMerkleValue(hash: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Promise<Uint8Array | undefined> {
    const m = (await this.read(this.block(hash), [key], childKey)).view.closestDescendantMerkleValue(key)
    return m.kind === 'found' ? m.merkleValue : undefined
  }

  /**
   * Every key and value under `prefix` at `hash` (strictly after `startAfter` when given), in key order:
   * from the genesis state, or by a proof-guided walk (`DescendantsWalk`) that yields each page as soon as
   * it is proven and asks for no more than the caller reads.
   */
  async *descendants(hash: Uint8Array, prefix: Uint8Array, childKey?: Uint8Array, startAfter?: Uint8Array): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const state = this.local(hash)
    if (state) return yield* state.entriesUnder(prefix, childKey, startAfter)
    const { header } = this.block(hash)
    let walk: DescendantsWalk | undefined
    for (;;) {
      const keys = walk ? walk.wanted : [startAfter && compareBytes(startAfter, prefix) >= 0 ? startAfter : prefix]
      // hedged requests may bring two proofs for one round: the first that helps is the round's
      let roundDone = false
      const step = await this.net.withPeers({ hash, number: header.number }, 'descendants', async (peer) => {
        const proof = await this.net.host.requestProof(peer, childKey ? { kind: 'readChild', block: hash, childKey, keys } : { kind: 'read', block: hash, keys })
        if (!proof || roundDone) return undefined
        try {
          const nodes = decodeProof(proof)
          if (!walk) {
            const map = new NodeMap()
            map.add(nodes)
            const root = trieRoot(map, header.stateRoot, childKey)
            if (!root) {
              roundDone = true
              return 'noTrie' as const
            }
            walk = new DescendantsWalk(root, prefix, startAfter)
          }
          const r = walk.add(nodes)
          // a proof that brought nothing the walk needed: this peer cannot (or will not) prove more
          if (!r.progressed) return undefined
          roundDone = true
          return r
        } catch (e) {
          this.net.ban(peer, `bad read proof: ${(e as Error).message}`)
          throw e
        }
      })
      if (step === 'noTrie') return
      yield* step.entries
      if (walk!.done) return
    }
  }

  /**
   * The header of the block `hash` from a peer (one that has it: an archive, for blocks long finalized),
   * checked against the hash; undefined when no peer has it. A peer answering with another block is banned.
   */
  async headerByHash(hash: Uint8Array): Promise<Header | undefined> {
    return this.net
      .withPeers({ hash, number: 0 }, 'header', async (peer) => {
        const [d] = await this.net.host.requestBlocks(peer, { fields: BLOCK_HEADER, from: { hash }, direction: 'ascending', maxBlocks: 1, supportMultipleJustifications: true })
        if (!d?.header) return undefined
        let header: Header
        try {
          header = decodeHeader(d.header)
          if (!bytesEqual(headerHash(header), hash)) throw new Error('it hashes to another block')
        } catch (e) {
          this.net.ban(peer, `asked for block ${toHex(hash)}, answered another: ${(e as Error).message}`)
          return undefined
        }
        return header
      })
      .catch((e) => {
        if (e instanceof ChainAccessError) return undefined
        throw e
      })
  }

  /** The body of a known block, checked against its extrinsics root. */
  async body(hash: Uint8Array): Promise<Uint8Array[]> {
    return (await this.bodyWith(hash, false)).body
  }

  /**
   * The body of a known block, checked against its extrinsics root, and (asked with `justification`) the
   * GRANDPA justification the peer holds for it, as the peer gave it (`chain_getBlock` passes it on).
   */
  async bodyWith(hash: Uint8Array, justification: boolean): Promise<{ body: Uint8Array[]; justification?: Uint8Array }> {
    const { header } = this.block(hash)
    return this.net.withPeers({ hash, number: header.number }, 'body', async (peer) => {
      const fields = justification ? BLOCK_BODY | BLOCK_JUSTIFICATION : BLOCK_BODY
      const [d] = await this.net.host.requestBlocks(peer, { fields, from: { hash }, direction: 'ascending', maxBlocks: 1, supportMultipleJustifications: true })
      if (!d || !bytesEqual(d.hash, hash)) return undefined
      const body = d.body ?? []
      if (!bodyMatches(body, header)) {
        this.net.ban(peer, 'block body does not match the extrinsics root')
        throw new ChainAccessError('bad body')
      }
      let j: Uint8Array | undefined
      try {
        j = justification ? grandpaJustificationOf(d) : undefined
      } catch {
        j = undefined // malformed `justifications`: the body stands, the justification is left out
      }
      return { body, ...(j ? { justification: j } : {}) }
    })
  }
}

/** Whether a body's extrinsics hash to the header's extrinsics root (trie version 0 or 1). */
export function bodyMatches(body: Uint8Array[], header: Header): boolean {
  return ([0, 1] as const).some((v) => bytesEqual(orderedTrieRoot(body, v), header.extrinsicsRoot))
}
