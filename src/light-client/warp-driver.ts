// One warp sync from one peer, driven with real I/O (service): phase one asks the peer for `/sync/warp`
// responses from our finalized block — following `isFinished: false` with a request from the last
// fragment — and verifies their fragments with the pure `WarpSync` in slices that yield to the event loop;
// phase two fetches the target block's runtime (`:code` + `:heappages` by read proof) and its Aura
// parameters or BABE epochs (call proofs), from any peer that can prove them. Nothing is committed here:
// the caller restarts its view in one step with the outcome, so a failure in either phase leaves the old
// view whole.

import { DecodeError, toHex } from '../codec/index.ts'
import { preverifyEd25519 } from '../crypto/index.ts'
import { GrandpaError, decodeWarpProof, type WarpVerified } from '../finality/index.ts'
import { WarpSync, type Consensus, type LightSync } from '../sync/index.ts'
import type { NetworkService } from './network-service.ts'
import type { BlockRuntime, RuntimeService } from './runtime-service.ts'
import { consensusOf } from './start-point.ts'
import { SLICE_MS, yieldToEventLoop } from './sync-service.ts'

/** Fragments whose signatures a browser checks with WebCrypto in one go (~200 each on Polkadot). */
const PREVERIFY_FRAGMENTS = 8

export type WarpOutcome =
  /** Verified, with the target's runtime and consensus: ready to commit. */
  | { kind: 'verified'; target: WarpVerified; runtime: BlockRuntime; consensus: Consensus; fragments: number; responses: number }
  /** The peer proved nothing newer than our finalized block. */
  | { kind: 'nothingNewer' }
  /**
   * The peer could not answer (its request failed: it does not know our finalized block, or it is slow or
   * gone), sent a bad proof (it is banned), or phase two found no peer to prove the target's runtime.
   */
  | { kind: 'failed'; reason: string; requestFailed: boolean }

export interface WarpDeps {
  sync: LightSync
  net: NetworkService
  runtimes: RuntimeService
  stopped: () => boolean
}

export async function warpFrom(d: WarpDeps, peer: string): Promise<WarpOutcome> {
  const fin = d.sync.finalized
  const w = new WarpSync({ number: fin.header.number, hash: fin.hash }, d.sync.setAt(fin.hash)!)
  // phase one: every response of the proof, each fragment verified
  try {
    while (w.needsMore) {
      let bytes: Uint8Array
      try {
        bytes = await d.net.host.requestWarpProof(peer, w.requestFrom)
      } catch (e) {
        return { kind: 'failed', reason: (e as Error).message, requestFailed: true }
      }
      if (d.stopped()) return { kind: 'failed', reason: 'stopped', requestFailed: false }
      w.addResponse(decodeWarpProof(bytes))
      let sliceStart = performance.now()
      for (let i = 0; ; i++) {
        // in a browser, WebCrypto checks the next fragments' signatures first (nothing to wait for under Node)
        const checked = i % PREVERIFY_FRAGMENTS === 0 ? preverifyEd25519(() => w.pendingSignatures(PREVERIFY_FRAGMENTS)) : undefined
        if (checked) {
          await checked
          if (d.stopped()) return { kind: 'failed', reason: 'stopped', requestFailed: false }
          sliceStart = performance.now()
        }
        if (!w.verifyNext()) break
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop()
          if (d.stopped()) return { kind: 'failed', reason: 'stopped', requestFailed: false }
          sliceStart = performance.now()
        }
      }
    }
  } catch (e) {
    if (!(e instanceof GrandpaError || e instanceof DecodeError)) throw e
    d.net.ban(peer, `bad warp proof: ${e.message}`)
    return { kind: 'failed', reason: `bad warp proof: ${e.message}`, requestFailed: false }
  }
  const target = w.target
  if (!target) return { kind: 'nothingNewer' }
  // phase two: the target's runtime and consensus, from whichever peer proves them
  const at = { hash: target.finalizedHash, header: target.finalized }
  try {
    const runtime = await d.runtimes.fetch(at)
    const scheme = d.sync.auraScheme
    const consensus = await consensusOf(runtime.runtime, (method) => d.runtimes.callWith(at, runtime, method, new Uint8Array()), false, async () => scheme)
    return { kind: 'verified', target, runtime, consensus, fragments: w.verifiedCount, responses: w.responseCount }
  } catch (e) {
    return { kind: 'failed', reason: `the runtime or consensus at #${target.finalized.number} ${toHex(target.finalizedHash)}: ${(e as Error).message}`, requestFailed: false }
  }
}
