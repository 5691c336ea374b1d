// `sublight node --chain <spec.json> [--listen <multiaddr>...] [--node-key <hex32>]`: serves a chain
// from its genesis storage over libp2p; prints `listening on <multiaddr>/p2p/<peerId>` per address and
// shuts down cleanly on Ctrl-C (SIGINT/SIGTERM).

import { HexError, fromHex } from '../codec/index.ts'
import { genesisRuntimeVersion } from '../chain-spec/index.ts'
import { GenesisChainServer, NetworkHost } from '../network/index.ts'
import { CliError } from './errors.ts'
import { loadChainSpec, optionValue } from './args.ts'

export async function nodeCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let chain: string | undefined
  const listen: string[] = []
  let nodeKey: Uint8Array | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--chain') chain = val()
    else if (a === '--listen') listen.push(val())
    else if (a === '--node-key') {
      try {
        nodeKey = fromHex(val())
      } catch (e) {
        throw new CliError(`--node-key: ${(e as HexError).message}`)
      }
      if (nodeKey.length !== 32) throw new CliError('--node-key must be 32 bytes of hex')
    } else throw new CliError(`unknown option ${a}`)
  }
  if (!chain) throw new CliError('usage: sublight node --chain <spec.json> [--listen <multiaddr>...] [--node-key <hex32>]')
  const spec = await loadChainSpec(chain)
  if (spec.genesis.kind !== 'raw') throw new CliError(`${chain} has no genesis storage to serve`)
  const server = new GenesisChainServer(spec, genesisRuntimeVersion(spec)?.stateVersion ?? 0)
  let host: NetworkHost
  try {
    host = await NetworkHost.start({
      server,
      protocolId: spec.protocolId,
      listen: listen.length ? listen : ['/ip4/127.0.0.1/tcp/30333/ws'],
      nodeKey,
      bootNodes: spec.bootNodes.map((b) => b.address),
      log: (l) => err(`${l}\n`),
    })
  } catch (e) {
    throw new CliError(`cannot start the network: ${(e as Error).message}`)
  }
  for (const a of host.addresses()) out(`listening on ${a}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await host.stop()
  err('stopped\n')
  return 0
}
