// `sublight light [--chain <name | spec.json>] [--relay <name | spec.json>] [--rpc-port 9944]
// [--rpc-host 127.0.0.1] [--rpc-cors <all | origins>] [--database <file>] [--bootnodes <multiaddr>...] [--log <level>]`: one light
// client behind a local JSON-RPC endpoint (a parachain: its relay chain is followed too, named by the
// parachain's spec or `--relay`, without JSON-RPC) (WebSocket and HTTP on one port, the node's server and
// limits), shared by every connection. Progress goes to stdout: on a terminal, one status line every
// few seconds (phase, peers, best and finalized blocks, finality lag); otherwise one line per change of
// phase and one per newly finalized block. `--database` is loaded at start (a restart skips the warp)
// and saved every three minutes and on exit. Log messages of the client go to stderr up to `--log`
// (0 none … 5 trace; default 2, warnings).

import { existsSync } from 'node:fs'
import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '../codec/index.ts'
import { ChainSpecError, genesisHeader, namesRelayChain, parseChainSpec, type ChainSpec } from '../chain-spec/index.ts'
import { headerHash } from '../header/index.ts'
import { DatabaseError, decodeDatabase } from '../light-client/database.ts'
import { RpcServer, RpcServerError } from '../json-rpc/server.ts'
import { ChainAccessError, ChainService } from '../light-client/chain-service.ts'
import { nodeCallRunner } from '../platform/node-call-runner.ts'
import { lightClientRpc } from '../light-client/rpc.ts'
import { TransactionsService } from '../light-client/transactions-service.ts'
import { CliError } from './errors.ts'
import { stopSignal } from './signals.ts'
import { corsValue, optionValue, portValue } from './args.ts'
import { knownChainNames, knownChainSpec } from './known-chains.ts'
import { nodeTransports } from '../platform/node.ts'

const STATUS_EVERY_MS = 5_000
const SAVE_EVERY_MS = 180_000

/** The spec text for `--chain`: a well-known name, else a file; anything else is one clear line. */
async function chainSpecText(chain: string): Promise<{ text: string; from: string }> {
  const known = await knownChainSpec(chain)
  if (known) return { text: known, from: `known chain ${chain}` }
  if (!existsSync(chain)) throw new CliError(`unknown chain '${chain}': not a file, and not one of ${(await knownChainNames()).join(', ')}`)
  try {
    return { text: await readFile(chain, 'utf8'), from: chain }
  } catch (e) {
    throw new CliError(`cannot read ${chain}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/** A spec by name or file, parsed; a malformed one is one clear line naming where it came from. */
async function loadSpec(chain: string): Promise<{ spec: ChainSpec; from: string }> {
  const { text, from } = await chainSpecText(chain)
  try {
    return { spec: parseChainSpec(text), from }
  } catch (e) {
    if (e instanceof ChainSpecError) throw new CliError(`${from}: ${e.message}`)
    throw e
  }
}

/** `--bootnodes <multiaddr>`: a multiaddr naming its peer (`/p2p/<id>`), as Substrate requires of boot nodes. */
function bootNodeValue(v: string): string {
  try {
    multiaddr(v)
  } catch (e) {
    throw new CliError(`--bootnodes: '${v}' is not a multiaddr (${(e as Error).message})`)
  }
  if (!/\/p2p\/[^/]+$/.test(v)) throw new CliError(`--bootnodes: '${v}' names no peer (it must end with /p2p/<peer id>)`)
  return v
}

/**
 * What `--database <file>` holds: undefined when the file does not exist yet (or is empty), the saved
 * database when it is this chain's. Anything else — a directory, a file that is not a sublight database
 * (the chain spec given by mistake, random bytes), another chain's database — is refused before
 * anything runs, since the client would overwrite it.
 */
async function readDatabase(file: string, spec: ChainSpec): Promise<string | undefined> {
  let isFile: boolean
  try {
    isFile = (await stat(file)).isFile()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CliError(`--database ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  if (!isFile) throw new CliError(`--database ${file}: not a file (a directory?); give the path of a database file`)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new CliError(`--database ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  if (text.trim() === '') return undefined
  try {
    decodeDatabase(text, headerHash(genesisHeader(spec)))
  } catch (e) {
    if (!(e instanceof DatabaseError)) throw e
    throw new CliError(`--database ${file}: not a sublight database of ${spec.name} (${e.message.replace(/^database content: /, '')}); refusing to overwrite it`)
  }
  return text
}

const short = (h: Uint8Array) => `${toHex(h).slice(0, 10)}…`

export async function lightCommand(args: string[], out: (s: string) => void, err: (s: string) => void, isTty = Boolean(process.stdout.isTTY)): Promise<number> {
  let chain = 'polkadot'
  let relayArg: string | undefined
  let rpcPort = 9944
  let rpcHost = '127.0.0.1'
  let rpcCors: 'all' | string[] | undefined
  let database: string | undefined
  let logLevel = 2
  const bootNodes: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--chain') chain = val()
    else if (a === '--relay') relayArg = val()
    else if (a === '--rpc-port') rpcPort = portValue(val(), a)
    else if (a === '--rpc-host') rpcHost = val()
    else if (a === '--rpc-cors') rpcCors = corsValue(val())
    else if (a === '--database') database = val()
    else if (a === '--bootnodes') bootNodes.push(bootNodeValue(val()))
    else if (a === '--log') {
      logLevel = Number(val())
      if (!Number.isInteger(logLevel) || logLevel < 0 || logLevel > 5) throw new CliError('--log must be a level from 0 to 5')
    } else throw new CliError(`unknown option ${a} (sublight light --help lists them)`)
  }
  if (chain === 'list') {
    out(`${(await knownChainNames()).join('\n')}\n`)
    return 0
  }
  const { spec, from } = await loadSpec(chain)
  // a parachain implies its relay chain (the known chain its spec names), followed without JSON-RPC
  let relay: { spec: ChainSpec; from: string } | undefined
  if (spec.relayChain !== undefined) {
    // no --relay: the known chain it names (an alias works too: `westend` is westend2)
    relay = await loadSpec(relayArg ?? spec.relayChain)
    if (!namesRelayChain(spec.relayChain, relay.spec.id, toHex(headerHash(genesisHeader(relay.spec)))))
      throw new CliError(`${spec.name} is a parachain of ${spec.relayChain}, but ${relay.from} is ${relay.spec.id}`)
  } else if (relayArg !== undefined) throw new CliError(`--relay: ${spec.name} is not a parachain`)
  const saved = database === undefined ? undefined : await readDatabase(database, spec)

  const logFor = (id: string) => (level: number, message: string) => void (level <= logLevel && err(`[${id}] ${message}\n`))
  let relayService: ChainService | undefined
  let service: ChainService
  // runtime calls over proofs run in a worker thread with a time limit, shared by both chains
  const callRunner = nodeCallRunner()
  try {
    if (relay) relayService = await ChainService.start({ spec: relay.spec, transports: nodeTransports, log: logFor(relay.spec.id), callRunner })
    service = await ChainService.start({ spec, database: saved, bootNodes, transports: nodeTransports, log: logFor(spec.id), relay: relayService && { chain: relayService, paraId: spec.paraId! }, callRunner })
  } catch (e) {
    await relayService?.stop()
    await callRunner.close()
    if (e instanceof ChainAccessError) throw new CliError(e.message)
    throw e
  }
  const transactions = new TransactionsService(service)
  let server: RpcServer
  try {
    server = await RpcServer.start(lightClientRpc(service, spec, transactions), { port: rpcPort, host: rpcHost, cors: rpcCors })
  } catch (e) {
    transactions.stop()
    await service.stop()
    await relayService?.stop()
    await callRunner.close()
    if (e instanceof RpcServerError) throw new CliError(e.message)
    throw e
  }
  // Ctrl-C is handled from before the lines tools wait for (see `stopSignal`)
  const stopped = stopSignal()
  out(`${spec.name} (${from}): JSON-RPC on ws://${rpcHost}:${server.port} and http://${rpcHost}:${server.port}\n`)
  if (relay) out(`parachain ${spec.paraId} of ${relay.spec.name} (${relay.from}), followed through it\n`)
  out(`starting at #${service.finalized().header.number} ${toHex(service.finalized().hash)}\n`)

  const save = async () => {
    if (!database || !service.isReady) return
    const content = service.finalizedDatabase()
    if (!content) return
    // atomically: a crash mid-save leaves the previous database whole, never a torn file
    const tmp = `${database}.${process.pid}.tmp`
    try {
      await writeFile(tmp, content)
      await rename(tmp, database)
    } catch (e) {
      err(`cannot save the database to ${database}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`)
    }
  }
  const phase = () => (service.peerCount === 0 ? 'connecting' : service.isReady ? 'following' : 'warp syncing')
  const status = () => {
    const best = service.best()
    const fin = service.finalized()
    return `${phase()} · peers ${service.peerCount} · best #${best.header.number} ${short(best.hash)} · finalized #${fin.header.number} ${short(fin.hash)} · lag ${best.header.number - fin.header.number}`
  }
  let lastPhase = ''
  const timers: ReturnType<typeof setInterval>[] = []
  if (isTty) timers.push(setInterval(() => out(`${status()}\n`), STATUS_EVERY_MS))
  else {
    const tick = () => {
      const p = phase()
      if (p !== lastPhase) out(`${(lastPhase = p) && status()}\n`)
    }
    timers.push(setInterval(tick, 250))
    tick()
    void service.ready.then(tick)
    service.onEvent((e) => {
      if (e.kind === 'finalized') out(`finalized #${service.finalized().header.number} ${toHex(service.finalized().hash)}\n`)
    })
  }
  timers.push(setInterval(() => void save(), SAVE_EVERY_MS))
  if (!service.isReady) void service.ready.then(() => void save())

  await stopped
  for (const t of timers) clearInterval(t)
  await save()
  await server.stop()
  transactions.stop()
  await service.stop()
  await relayService?.stop()
  await callRunner.close()
  err('stopped\n')
  return 0
}
