// The node's chain as the JSON-RPC layer's `ChainAccess`: every answer comes from the node's own
// blocks and states, at once. Every block, forks included, is a `newBlock`; a new best block (a reorg
// too) a `bestChanged`; finality reports the canonical blocks from the previous finalized one up and
// the fork blocks it pruned. A block whose state
// was pruned answers storage and calls with ChainAccessError (the spec's `operationInaccessible`).

import { toHex, utf8 } from '../codec/index.ts'
import { decodeProof } from '../trie/index.ts'
import { blake2_256 } from '../crypto/index.ts'
import type { MemoryStorage } from '../executor/index.ts'
import { ChainAccessError, type BlockRef, type ChainAccess, type ChainEvent } from '../json-rpc/index.ts'
import type { DevChain } from './dev-chain.ts'
import { runtimeAt } from './runtime-apis.ts'

const CODE = utf8(':code')

export function devChainAccess(chain: DevChain): ChainAccess {
  /** Throws ChainAccessError unless the block is known and its state can be had. */
  const requireState = (hash: Uint8Array): void => {
    const b = chain.block(hash)
    if (!b) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
    if (!chain.hasStateOf(hash)) throw new ChainAccessError(`the state of #${b.header.number} is discarded`)
  }
  const stateOf = (hash: Uint8Array): MemoryStorage => {
    requireState(hash)
    return chain.stateOf(hash)!
  }
  const ref = (b: { hash: Uint8Array; header: BlockRef['header'] }): BlockRef => ({ hash: b.hash, header: b.header })
  return {
    genesisHash: chain.genesisHash,
    ready: Promise.resolve(),
    finalized: () => ref(chain.finalized()),
    best: () => ref(chain.bestBlock),
    *blocksAbove() {
      const best = chain.bestBlock.header.number
      for (let n = chain.finalized().number + 1; n <= best; n++) yield ref(chain.blockAt(n)!)
      // then the forks, parents first
      for (const b of chain.forks().sort((x, y) => x.header.number - y.header.number)) yield ref(b)
    },
    header: (hash) => chain.block(hash)?.header,
    hashAt: (number) => chain.blockAt(number)?.hash,
    // as Substrate: only the justifications it persists (set changes, every 512th block)
    justification: (hash) => chain.keptJustification(hash),
    onEvent(fn) {
      return chain.onEvent((e) => {
        if (e.kind === 'block') {
          fn({ kind: 'newBlock', hash: e.hash, header: e.header })
          if (e.best) fn({ kind: 'bestChanged', hash: e.hash })
          return
        }
        if (e.kind === 'best') {
          fn({ kind: 'bestChanged', hash: e.hash })
          return
        }
        const hashes: Uint8Array[] = []
        for (let n = e.previous + 1; n <= e.header.number; n++) hashes.push(chain.blockAt(n)!.hash)
        const event: ChainEvent = { kind: 'finalized', hashes, pruned: e.pruned }
        fn(event)
      })
    },
    async body(hash) {
      const b = chain.block(hash)
      if (!b) throw new ChainAccessError(`unknown block ${toHex(hash)}`)
      return b.body
    },
    async storage(hash, keys, childKey) {
      const state = stateOf(hash)
      return keys.map((k) => (childKey ? state.childGet(childKey, k) : state.get(k)))
    },
    // these two are answered by the block's prover, which may hold the state already: no rebuild to check
    async closestDescendantMerkleValue(hash, key, childKey) {
      requireState(hash)
      return chain.closestDescendantMerkleValue(hash, key, childKey)
    },
    async *descendants(hash, prefix, childKey, startAfter) {
      yield* stateOf(hash).entriesUnder(prefix, childKey, startAfter)
    },
    async readProof(hash, keys, childKey) {
      requireState(hash)
      const proof = childKey ? chain.readChildProof(hash, childKey, keys) : chain.readProof(hash, keys)
      if (!proof) throw new ChainAccessError(`no state at ${toHex(hash)}`)
      return decodeProof(proof)
    },
    async call(hash, method, args) {
      const state = stateOf(hash)
      return runtimeAt(state).call(method, args, { storage: state }).output
    },
    async runtimeVersion(hash) {
      const state = stateOf(hash)
      return runtimeAt(state).version(state)
    },
    runtimeChanged(hash) {
      const b = chain.block(hash)
      const parent = b && chain.block(b.header.parentHash)
      const x = b?.state?.get(CODE)
      const y = parent?.state?.get(CODE)
      if (!x || !y) return false
      return x !== y && toHex(blake2_256(x)) !== toHex(blake2_256(y))
    },
  }
}
