// Child process for terminate.test.ts: starts a client (`sublight` or `smoldot`), adds a chain whose only
// boot node is a closed port (with `--no-chain`, none), prints `started`, and then waits on nothing of its
// own: whether the process stays alive is the client's doing.
import { readFileSync } from 'node:fs'

const [impl, specFile, mode] = process.argv.slice(2)
const { start } = impl === 'smoldot' ? await import('smoldot') : await import('../../src/light-client/index.ts')
const client = start({ maxLogLevel: 0 })
if (mode !== '--no-chain') {
  const spec = JSON.parse(readFileSync(specFile, 'utf8'))
  spec.bootNodes = ['/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5']
  await client.addChain({ chainSpec: JSON.stringify(spec) })
}
process.stdout.write('started\n')
