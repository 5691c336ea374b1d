// One warp sync, phase one (pure: proofs in, a verified target out; no sockets, timers or clock): the
// fragments of one or more `/sync/warp` responses, verified one at a time from the set in force at our
// finalized block, so a service can verify thousands of fragments in slices without blocking its event
// loop. A response with `isFinished: false` (Substrate cuts proofs at 8 MiB) ends at a set change; the next
// request starts from its last fragment (`requestFrom`). Phase two — the new finalized block's runtime and
// consensus — is the service's; only then does it commit the target to the `LightSync` tree (`restartAt`).
// smoldot's equivalent is `lib/src/sync/warp_sync.rs`.

import { GrandpaError, precommitSignatures, verifyWarpFragment, type AuthoritySet, type WarpSyncFragment, type WarpSyncProof, type WarpVerified } from '../finality/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import type { SignedMessage } from '../crypto/index.ts'

/** Responses one warp may take (each up to 8 MiB): far more than any live chain needs, and a bound. */
export const MAX_WARP_RESPONSES = 64

export class WarpSync {
  private set: AuthoritySet
  private verified: WarpVerified | undefined
  /** Fragments received and not yet verified, with whether each may keep the set (last of a finished proof). */
  private readonly queue: { fragment: WarpSyncFragment; mayKeepSet: boolean }[] = []
  /** The last header received (verified or queued): where the next request starts. */
  private lastReceived: { header: Header; hash: Uint8Array } | undefined
  private finished = false
  private responses = 0
  private index = 0

  /** Starts from our finalized block `from` (`number`, `hash`) and the GRANDPA set that finalizes its children. */
  constructor(
    private readonly from: { number: number; hash: Uint8Array },
    set: AuthoritySet,
  ) {
    this.set = set
  }

  /** The block the next `/sync/warp` request names: the last fragment received, or our finalized block. */
  get requestFrom(): Uint8Array {
    return this.lastReceived?.hash ?? this.from.hash
  }

  /**
   * Adds one response. Throws GrandpaError when it cannot be part of a proof: an unfinished response with
   * no fragment (it would loop), one whose first fragment does not advance, or too many responses.
   */
  addResponse(proof: WarpSyncProof): void {
    if (this.finished) throw new GrandpaError('Malformed', 'a warp response after the finished one')
    if (++this.responses > MAX_WARP_RESPONSES) throw new GrandpaError('TooLarge', `more than ${MAX_WARP_RESPONSES} warp responses`)
    if (!proof.isFinished && proof.fragments.length === 0) throw new GrandpaError('Malformed', 'an unfinished warp response without fragments')
    const n = proof.fragments.length
    proof.fragments.forEach((fragment, i) => this.queue.push({ fragment, mayKeepSet: proof.isFinished && i === n - 1 }))
    if (n) {
      const header = proof.fragments[n - 1].header
      this.lastReceived = { header, hash: headerHash(header) }
    }
    this.finished = proof.isFinished
  }

  /** Whether the peer said the proof is complete (`isFinished`); until then another request is due. */
  get needsMore(): boolean {
    return !this.finished
  }

  /** Fragments received and not verified yet. */
  get pending(): number {
    return this.queue.length
  }

  /** Verifies the next received fragment; false when none is waiting. Throws GrandpaError (a bad proof). */
  verifyNext(): boolean {
    const next = this.queue.shift()
    if (!next) return false
    this.verified = verifyWarpFragment(next.fragment, this.set, this.verified?.finalized, next.mayKeepSet, this.index++)
    if (this.verified.finalized.number <= this.from.number) throw new GrandpaError('BadSetChange', `fragment ${this.index - 1} (#${this.verified.finalized.number}) is not above our finalized #${this.from.number}`)
    this.set = this.verified.set
    return true
  }

  /**
   * The signatures of the next `fragments` waiting fragments, each as signed by the set it should be
   * checked against (one set later per fragment, as a proof's fragments change the set in turn): what a
   * service checks ahead of time (`preverifyEd25519`).
   */
  pendingSignatures(fragments: number): SignedMessage[] {
    return this.queue.slice(0, fragments).flatMap((q, i) => precommitSignatures(q.fragment.justification, this.set.setId + BigInt(i)))
  }

  /** The GRANDPA set in force after the fragments verified so far (the one the next fragment is checked against). */
  get setId(): bigint {
    return this.set.setId
  }

  /** Responses received so far. */
  get responseCount(): number {
    return this.responses
  }

  /** Fragments verified so far. */
  get verifiedCount(): number {
    return this.index
  }

  /**
   * The verified target once every response is in and every fragment verified: the new finalized block
   * and the set in force after it; undefined while work remains or when the proof was empty (nothing newer).
   */
  get target(): WarpVerified | undefined {
    return this.finished && this.queue.length === 0 ? this.verified : undefined
  }
}
