// Shared by the bench client scripts (each runs in its own process): a light client, sublight's (from
// source) or smoldot's, through the same smoldot-compatible API, with one chain whose only boot node is
// the devnet's.
import { readFileSync } from 'node:fs'

/** Starts `impl`'s client and adds the chain of `specFile` with `bootNode` as its only boot node. */
export async function clientFor(impl, specFile, bootNode) {
  const { start } = impl === 'smoldot' ? await import('smoldot') : await import('../src/light-client/index.ts')
  const spec = JSON.parse(readFileSync(specFile, 'utf8'))
  spec.bootNodes = [bootNode]
  const client = start({ maxLogLevel: 1 })
  const chain = await client.addChain({ chainSpec: JSON.stringify(spec) })
  return { client, chain }
}
