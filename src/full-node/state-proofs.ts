// Read, child-read and call proofs of a node's states for peers (light/2), over whichever blocks the
// chain still has a state for. A `StateProver` per block serves them from the state's own persistent
// trie; only the most recently used few are kept. A call proof runs the runtime in a worker thread under
// a time limit, so a peer's call never stalls the node, and light clients asking the same call at the
// same new block (`Core_version`, a runtime API they watch) share one proof.

import { toHex } from '../codec/index.ts'
import { ExecutorError, type MemoryStorage } from '../executor/index.ts'
import { IsolatedExecutor } from '../executor/isolated.ts'
import { StateProver } from '../network/index.ts'
import type { StateVersion } from '../trie/index.ts'

/** What the proofs need of the chain: a block's state, if it has one. */
export interface ProvableStates {
  /**
   * The block's state (`state()` may rebuild it from a database) and its root's state version, with a
   * stable identifier (its hash in hex); undefined when the block is unknown or its state pruned.
   */
  stateFor(block: Uint8Array): { key: string; state(): MemoryStorage; version(): StateVersion } | undefined
}

/**
 * Proof servers kept (most recently used): peers ask at the latest blocks. One per block with state was
 * what made a node serving light clients grow by ~400 KiB a block until states were pruned.
 */
const PROVERS_KEPT = 8

/** Wall-clock limit of a peer's call proof (the call runs in a worker thread). */
const CALL_PROOF_TIMEOUT_MS = 10_000

/** Call proofs kept for peers asking the same call at the same block, and the largest kept (bytes). */
const SHARED_CALL_PROOFS = 16
const MAX_SHARED_CALL_PROOF = 256 * 1024
/** Calls with longer arguments (a whole block, a large transaction) are not looked up among them. */
const MAX_SHARED_CALL_ARGS = 1024

export class StateProofs {
  private readonly provers = new Map<string, StateProver>()
  private callExecutor: IsolatedExecutor | undefined
  /** Recent call proofs (and those being made), by block, method and arguments, most recently used last. */
  private readonly callProofs = new Map<string, Promise<Uint8Array | undefined>>()

  constructor(private readonly states: ProvableStates) {}

  /** Merkle value of the closest descendant of `key` at a block with state (undefined: none, or no state). */
  closestDescendantMerkleValue(block: Uint8Array, key: Uint8Array, childKey?: Uint8Array): Uint8Array | undefined {
    return this.prover(block)?.closestDescendantMerkleValue(key, childKey)
  }

  readProof(block: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined {
    return this.prover(block)?.readProof(keys)
  }

  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]): Uint8Array | undefined {
    return this.prover(block)?.readChildProof(childKey, keys)
  }

  /** A peer's call proof; undefined without a state, or for a call that fails or runs over the time limit. */
  async callProof(block: Uint8Array, method: string, args: Uint8Array): Promise<Uint8Array | undefined> {
    // looked up before the prover, which may have to rebuild the block's state
    const key = args.length <= MAX_SHARED_CALL_ARGS ? `${toHex(block)} ${method} ${toHex(args)}` : undefined
    const shared = key === undefined ? undefined : this.callProofs.get(key)
    if (shared) {
      this.callProofs.delete(key!)
      this.callProofs.set(key!, shared)
      return shared
    }
    const prover = this.prover(block)
    if (!prover) return undefined
    const made = (async () => {
      try {
        return await prover.callProofIsolated(method, args, (this.callExecutor ??= new IsolatedExecutor(CALL_PROOF_TIMEOUT_MS)))
      } catch (e) {
        if (e instanceof ExecutorError) return undefined
        throw e
      }
    })()
    if (key === undefined) return made
    this.callProofs.set(key, made)
    if (this.callProofs.size > SHARED_CALL_PROOFS) this.callProofs.delete(this.callProofs.keys().next().value!)
    // only answers worth keeping stay: a failure or a large proof is not shared beyond the calls in flight
    const forget = () => {
      if (this.callProofs.get(key) === made) this.callProofs.delete(key)
    }
    made.then((proof) => (!proof || proof.length > MAX_SHARED_CALL_PROOF ? forget() : undefined), forget)
    return made
  }

  /** Stops the call-proof worker, if one was started. */
  close(): void {
    void this.callExecutor?.close()
    this.callExecutor = undefined
  }

  /** The proof server of a block with state: a kept one, or a new one (the least recently used dropped). */
  private prover(block: Uint8Array): StateProver | undefined {
    const s = this.states.stateFor(block)
    if (!s) return undefined
    let p = this.provers.get(s.key)
    if (p) this.provers.delete(s.key)
    else p = new StateProver(s.state(), s.version())
    this.provers.set(s.key, p)
    if (this.provers.size > PROVERS_KEPT) this.provers.delete(this.provers.keys().next().value!)
    return p
  }
}
