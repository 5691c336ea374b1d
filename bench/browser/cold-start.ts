// The cold-start measurement of `npm run bench browser`, shared by the two pages (`sublight-page.ts`,
// `smoldot-page.ts`, each bundling only its own client): from page load, the client adds the chain given
// in `window.benchSpec`, and the page records when `chainSpec_v1_genesisHash` is answered and when
// `chainHead_v1_follow` reports `initialized` (performance.now(): ms since navigation start).
import type { Client } from '../../src/browser.ts'

const w = window as unknown as { benchSpec: string; benchResult?: { genesisHash: number; initialized: number; error?: string } }

/** Runs the measurement with a client made by `start` (smoldot's or ours: the same API). */
export function measure(start: (options: { maxLogLevel: number; logCallback: () => void }) => Client): void {
  main(start({ maxLogLevel: 1, logCallback: () => {} })).catch((e: Error) => (w.benchResult = { genesisHash: 0, initialized: 0, error: e.message }))
}

async function main(client: Client) {
  const chain = await client.addChain({ chainSpec: w.benchSpec })
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainSpec_v1_genesisHash', params: [] }))
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'chainHead_v1_follow', params: [false] }))
  let genesisHash = 0
  for (;;) {
    const m = JSON.parse(await chain.nextJsonRpcResponse())
    if (m.id === 1) genesisHash = performance.now()
    if (m.params?.result?.event === 'initialized') {
      w.benchResult = { genesisHash, initialized: performance.now() }
      break
    }
  }
  await client.terminate()
}
