// The page of bench/browser-ed25519.bench.ts: sublight's ed25519 checks of real GRANDPA justifications in
// the browser. `window.benchEd25519(sets)` times, per signature, (a) the pure-JS path (`ed25519Verify` on
// signatures never seen: @noble/curves, ZIP-215) and (b) what the light client runs: `preverifyEd25519`
// (WebCrypto, all of a justification's signatures at once), then `ed25519Verify` on each. Each set of
// signatures is used once (a signature proven valid is remembered), so (a) and (b) get different sets.
import { ed25519Verify, preverifyEd25519, type SignedMessage } from '../../src/crypto/index.ts'

const hex = (h: string) => Uint8Array.from(h.slice(2).match(/../g)!, (x) => parseInt(x, 16))
type HexItem = { signature: string; message: string; publicKey: string }
const decode = (items: HexItem[]): SignedMessage[] => items.map((i) => ({ signature: hex(i.signature), message: hex(i.message), publicKey: hex(i.publicKey) }))

async function benchEd25519(pureSets: HexItem[][], ourSets: HexItem[][]): Promise<{ pureUs: number; oursUs: number; pureCount: number; oursCount: number; syncUs: number }> {
  let n = 0
  let t0 = performance.now()
  for (const set of pureSets.map(decode)) for (const s of set) if (ed25519Verify(s.signature, s.message, s.publicKey)) n++
  const pureUs = ((performance.now() - t0) * 1000) / n
  const pureCount = n
  n = 0
  const ours = ourSets.map(decode)
  t0 = performance.now()
  let syncMs = 0
  for (const set of ours) {
    const checked = preverifyEd25519(() => set)
    if (checked) await checked
    const t1 = performance.now()
    for (const s of set) if (ed25519Verify(s.signature, s.message, s.publicKey)) n++
    syncMs += performance.now() - t1
  }
  const oursUs = ((performance.now() - t0) * 1000) / n
  return { pureUs, oursUs, pureCount, oursCount: n, syncUs: (syncMs * 1000) / n }
}
;(window as unknown as { benchEd25519: typeof benchEd25519 }).benchEd25519 = benchEd25519
