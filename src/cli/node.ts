// `sublight node --chain <spec.json> [--tmp | --base-path <dir>] [--listen <multiaddr>...] [--bootnodes <multiaddr>...] [--node-key <hex32>]`:
// a full node without authoring: syncs the chain from its peers (the spec's boot nodes and --bootnodes)
// with full execution and serves everything it has imported, from genesis on; prints
// `listening on <multiaddr>/p2p/<peerId>` per address, then `#<n> <hash> finalized #<f> peers <p> txs 0`
// per imported block, and shuts down cleanly on Ctrl-C (SIGINT/SIGTERM).

import { toHex } from '../codec/index.ts'
import { NoGrandpaError, SyncService } from '../full-node/index.ts'
import { NetworkError } from '../network/index.ts'
import { CliError } from './errors.ts'
import { stopSignal } from './signals.ts'
import { loadChainSpec, nodeKeyFor, nodeKeyValue, openChainDatabase, optionValue } from './args.ts'

export async function nodeCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let chain: string | undefined
  const listen: string[] = []
  let nodeKey: Uint8Array | undefined
  const bootNodes: string[] = []
  let basePath: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--chain') chain = val()
    else if (a === '--listen') listen.push(val())
    else if (a === '--bootnodes') bootNodes.push(val())
    else if (a === '--base-path') basePath = val()
    else if (a === '--tmp') continue // the default: a throwaway database
    else if (a === '--node-key') nodeKey = nodeKeyValue(val())
    else throw new CliError(`unknown option ${a}`)
  }
  if (!chain) throw new CliError('usage: sublight node --chain <spec.json> [--tmp | --base-path <dir>] [--listen <multiaddr>...] [--bootnodes <multiaddr>...] [--node-key <hex32>]')
  const spec = await loadChainSpec(chain)
  if (spec.genesis.kind !== 'raw') throw new CliError(`${chain} has no genesis storage to serve`)
  nodeKey = await nodeKeyFor(spec, basePath, nodeKey)
  const { chain: devChain, cleanup } = await openChainDatabase(spec, basePath)
  let node: SyncService
  try {
    node = await SyncService.start({
      spec,
      chain: devChain,
      listen: listen.length ? listen : ['/ip4/127.0.0.1/tcp/30333/ws'],
      nodeKey,
      bootNodes: [...spec.bootNodes.map((b) => b.address), ...bootNodes],
      log: (l) => err(`${l}\n`),
    })
  } catch (e) {
    devChain.close()
    await cleanup()
    throw new CliError(e instanceof NetworkError || e instanceof NoGrandpaError ? e.message : `cannot start the network: ${(e as Error).message}`)
  }
  // Ctrl-C is handled from before the lines tools wait for: a signal sent as soon as they appear must
  // stop the node cleanly, not find Node's default handler (which kills the process at once)
  const stopped = stopSignal()
  for (const a of node.host.addresses()) out(`listening on ${a}\n`)
  node.onImport((s) => out(`#${s.number} ${toHex(s.hash)} finalized #${s.finalized} peers ${s.peers} txs 0\n`))
  await stopped
  await node.stop()
  await cleanup()
  err('stopped\n')
  return 0
}
