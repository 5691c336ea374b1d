// Shared by the bench client scripts (each runs in its own process): a light client, sublight's or
// smoldot's, through the same smoldot-compatible API, with one chain whose only boot node is the devnet's.
// sublight's comes from source (the process needs `--import tsx`), or with SUBLIGHT_DIST=1 from the
// compiled package in dist/ (what users run; `npm run build` first; no tsx needed).
import { readFileSync } from 'node:fs'

/** Starts `impl`'s client and adds the chain of `specFile` with `bootNode` as its only boot node. */
export async function clientFor(impl, specFile, bootNode) {
  const { start } = impl === 'smoldot' ? await import('smoldot') : process.env.SUBLIGHT_DIST === '1' ? await import('../dist/index.js') : await import('../src/light-client/index.ts')
  const spec = JSON.parse(readFileSync(specFile, 'utf8'))
  spec.bootNodes = [bootNode]
  const client = start({ maxLogLevel: 1 })
  const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
  return { client, chain }
}
