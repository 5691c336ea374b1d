// `sublight dev [--chain <raw spec>] [--tmp | --base-path <dir>] [--rpc-port 9944] [--listen <multiaddr>...] [--alice | --bob | --key <suri>...] [--history <epochs> [--history-block-time <ms>] [--history-start <unix ms>]] [--relay <ws url>]`:
// starts a DevNode (Aura or BABE authoring, local GRANDPA finality, transaction pool, JSON-RPC, libp2p) and
// prints one status line per authored block: `#<number> <hash> finalized #<n> peers <p> txs <t>`, and,
// when it finalizes by voting with other validators, one per finalized block: `finalized #<n> <hash> round
// <r> precommits <k> best #<b> forks <f> reorgs <g>`.
// Without `--chain` it runs the built-in development chain (`chains/dev.json`: node-template's runtime
// and genesis, shipped in the package); without key flags it holds every well-known dev key, so it
// authors every slot and finalizes alone wherever those keys are the authorities. With `--relay` (a
// parachain spec), it is the parachain's collator: it authors on the relay node's heads, hands each block
// to the relay as a collation, and finalizes what the relay's finalized blocks include (`collator.ts`).

import { fileURLToPath } from 'node:url'
import { toHex } from '../codec/index.ts'
import { KeyUriError } from '../crypto/index.ts'
import { DevNode, DevNodeError } from '../full-node/index.ts'
import { NetworkError } from '../network/index.ts'
import { CliError } from './errors.ts'
import { stopSignal } from './signals.ts'
import { corsValue, loadChainSpec, nodeKeyFor, nodeKeyValue, openChainDatabase, optionValue, portValue } from './args.ts'

const USAGE = 'usage: sublight dev [--chain <spec.json>] [--tmp | --base-path <dir>] [--rpc-port <port>] [--listen <multiaddr>...] [--bootnodes <multiaddr>...] [--node-key <hex32>] [--alice | --bob | --key <suri>...] [--history <epochs> [--history-block-time <ms>] [--history-start <unix ms>]] [--latency <ms>] [--relay <relay node ws url>]'

/** `--latency <ms>`: 0 to 60000. */
export function latencyValue(v: string): number {
  const n = Number(v)
  if (!/^\d+$/.test(v) || n > 60_000) throw new CliError(`--latency: ${v} is not a number of milliseconds (0 to 60000)`)
  return n
}

/** `--relay <ws url>`: the relay node's JSON-RPC endpoint a collator follows. */
export function relayUrlValue(v: string): string {
  if (!/^wss?:\/\/\S+$/.test(v)) throw new CliError(`--relay: ${v} is not a WebSocket URL (ws://host:port) of the relay node's JSON-RPC`)
  return v
}

/** The built-in development chain: node-template's runtime and genesis (Aura + GRANDPA, Alice and Bob). */
export const BUILT_IN_CHAIN = fileURLToPath(new URL('../../chains/dev.json', import.meta.url))
/** Substrate's well-known development accounts; the node authors and votes with those the chain names. */
const WELL_KNOWN_DEV_KEYS = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie']

export async function devCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let chain: string | undefined
  const listen: string[] = []
  const bootNodes: string[] = []
  const suris: string[] = []
  let rpcPort: number | null = 9944
  let rpcCors: 'all' | string[] | undefined
  let tmp = false
  let basePath: string | undefined
  let nodeKey: Uint8Array | undefined
  let history: number | undefined
  let historyBlockMs: number | undefined
  let historyStart: number | undefined
  let latencyMs: number | undefined
  let relay: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--chain') chain = val()
    else if (a === '--listen') listen.push(val())
    else if (a === '--bootnodes') bootNodes.push(val())
    else if (a === '--tmp') tmp = true
    else if (a === '--base-path') basePath = val()
    else if (a === '--node-key') nodeKey = nodeKeyValue(val())
    else if (a === '--alice' || a === '--bob') suris.push(a === '--alice' ? '//Alice' : '//Bob')
    else if (a === '--key') suris.push(val())
    else if (a === '--rpc-port') rpcPort = portValue(val(), a)
    else if (a === '--no-rpc') rpcPort = null
    else if (a === '--rpc-cors') rpcCors = corsValue(val())
    else if (a === '--latency') latencyMs = latencyValue(val())
    else if (a === '--relay') relay = relayUrlValue(val())
    else if (a === '--history-block-time') {
      const v = val()
      historyBlockMs = Number(v)
      if (!/^\d+$/.test(v) || historyBlockMs > 600_000) throw new CliError(`--history-block-time: ${v} is not a number of milliseconds (0 to 600000)`)
    } else if (a === '--history-start') {
      const v = val()
      historyStart = Number(v)
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(historyStart)) throw new CliError(`--history-start: ${v} is not a time in milliseconds since 1970`)
    } else if (a === '--history') {
      const v = val()
      history = Number(v)
      if (!/^\d+$/.test(v) || history < 1 || history > 100_000) throw new CliError(`--history: ${v} is not a number of epochs (1 to 100000)`)
    }
    else throw new CliError(`unknown option ${a}\n${USAGE}`)
  }
  if ((historyBlockMs !== undefined || historyStart !== undefined) && history === undefined) throw new CliError(`${historyStart !== undefined ? '--history-start' : '--history-block-time'} goes with --history`)
  const spec = await loadChainSpec(chain ?? BUILT_IN_CHAIN)
  if (spec.genesis.kind !== 'raw') throw new CliError(`${chain} has no raw genesis storage`)
  if (tmp && basePath) throw new CliError('--tmp and --base-path exclude each other')
  if (relay !== undefined && spec.paraId === undefined) throw new CliError(`--relay: ${chain ?? 'the built-in chain'} is not a parachain spec (no para_id)`)
  if (relay !== undefined && history !== undefined) throw new CliError('--history is for relay and solo chains, not a collator (--relay)')
  // --tmp: a throwaway database in a fresh temporary directory, removed on exit
  nodeKey = await nodeKeyFor(spec, basePath, nodeKey)
  const { chain: devChain, cleanup } = await openChainDatabase(spec, basePath)
  const best = devChain.bestBlock.header.number
  if (best > 0) out(`resuming at #${best} ${toHex(devChain.bestBlock.hash)} finalized #${devChain.finalized().number}\n`)
  let node: DevNode
  try {
    node = await DevNode.start({ spec, chain: devChain, keys: suris.length ? suris : WELL_KNOWN_DEV_KEYS, listen: listen.length ? listen : ['/ip4/127.0.0.1/tcp/30333/ws'], bootNodes, nodeKey, rpcPort, rpcCors, latencyMs, log: (l) => err(`${l}\n`), ...(relay ? { collator: { relay, paraId: spec.paraId! } } : {}), ...(history ? { history: { epochs: history, intervalMs: historyBlockMs, startsAt: historyStart }, rotateSessionKeys: true } : {}) })
  } catch (e) {
    devChain.close()
    await cleanup()
    if (e instanceof DevNodeError || e instanceof NetworkError) throw new CliError(e.message)
    if (e instanceof KeyUriError) throw new CliError(`--key: ${e.message}`)
    throw e
  }
  // Ctrl-C is handled from before the lines tools wait for (see `stopSignal`)
  const stopped = stopSignal()
  for (const a of node.host.addresses()) out(`listening on ${a}\n`)
  if (node.rpc) out(`rpc on ws://127.0.0.1:${node.rpc.port}\n`)
  node.onBlock((s) => out(`#${s.number} ${toHex(s.hash)} finalized #${s.finalized} peers ${s.peers} txs ${s.txs}\n`))
  // finality voted with other nodes (a local network): one line per block our rounds finalize
  node.onFinality((f) => out(`finalized #${f.number} ${toHex(f.hash)} round ${f.round} precommits ${f.precommits} best #${f.best} forks ${f.forks} reorgs ${f.reorgs}\n`))
  await stopped
  await node.stop()
  await cleanup()
  err('stopped\n')
  return 0
}
