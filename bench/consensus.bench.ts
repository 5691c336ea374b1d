// Consensus verification throughput: BABE checkpoint headers verified per second (VRF + seal), and
// GRANDPA justifications per second for a 297-authority set (Polkadot's size), signed with
// @noble/curves. No reference runs here: smoldot exposes no verification API to call side by side.
import { readFileSync } from 'node:fs'
import { ed25519 } from '@noble/curves/ed25519.js'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { checkpointState, verifyCheckpoint } from '../src/verify/index.ts'
import { precommitMessage, verifyJustification, type GrandpaJustification } from '../src/finality/index.ts'
import { timeMedian } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
for (const spec of ['ksmcc3', 'polkadot', 'westend-genesis']) {
  const state = checkpointState(parseChainSpec(readFileSync(`${FX}/chain-specs/${spec}.json`, 'utf8')).lightSyncState!)
  const kind = verifyCheckpoint(state).kind
  const n = 50
  const ms = timeMedian(() => {
    for (let i = 0; i < n; i++) verifyCheckpoint(state)
  }, 5)
  console.log(`BABE header verification (${spec} checkpoint, ${kind})`.padEnd(60), `${((n * 1000) / ms).toFixed(0).padStart(6)} headers/s`)
}

const N = 297
const keys = Array.from({ length: N }, (_, i) => ed25519.utils.randomSecretKey(new Uint8Array(32).fill(i % 256).map((b, j) => (j === 0 ? i >> 8 : b))))
const set = { setId: 5n, authorities: keys.map((k) => ({ publicKey: ed25519.getPublicKey(k), weight: 1n })) }
const target = new Uint8Array(32).fill(1)
const signers = keys.slice(0, Math.ceil((N * 2) / 3) + 1)
const j: GrandpaJustification = {
  round: 1n,
  targetHash: target,
  targetNumber: 1000,
  precommits: signers.map((k) => ({ targetHash: target, targetNumber: 1000, signature: ed25519.sign(precommitMessage(target, 1000, 1n, 5n), k), authorityId: ed25519.getPublicKey(k) })),
  votesAncestries: [],
}
verifyJustification(j, set)
const ms = timeMedian(() => verifyJustification(j, set), 5)
console.log(`GRANDPA justification, ${N}-authority set (${signers.length} precommits)`.padEnd(60), `${(1000 / ms).toFixed(1).padStart(6)} justifications/s (${ms.toFixed(0)} ms each)`)
