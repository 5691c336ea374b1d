// `sublight testnet --nodes <n> [--chain <spec.json>] [--base-path <dir>] [--rpc-port <p>] [--port <p>] [--latency <ms>] [--history <epochs> [--history-block-time <ms>]]`:
// a local network on this machine. The chain (default: the built-in dev chain) is rewritten for n dev
// validators (`chain-spec/validators.ts`), then n `sublight dev` processes start, one validator key each,
// node i listening on 127.0.0.1 port `port + i` (WebSocket) with JSON-RPC on `rpc-port + i`, each
// dialling the nodes started before it (and keeping them connected). Output, a contract tools read:
//   node <i> rpc <ws url> p2p <multiaddr>          once per node, when all are up
//   finalized #<n> <hash> best #<b> forks <f> reorgs <r>
//                                                  each time the network's finality moves (forks: fork
//                                                  blocks the most-informed node has seen; reorgs: the
//                                                  sum over nodes)
// The nodes' own logs go to stderr, prefixed `[node <i>]`. Ctrl-C (or SIGTERM) stops every node and
// waits for it; each node also stops by itself when this process dies, even by SIGKILL (their IPC
// channel to us closes), so no node outlives it and no port stays bound. With `--base-path` the chain,
// keys and spec stay in `<dir>` and a restart resumes; without, the spec is written to a temporary
// directory removed once every node has read it, and each node keeps its chain in its own temporary
// directory (`--tmp`), removed when it stops. `--latency <ms>` delays every announce, vote and transaction the nodes gossip;
// `sublight_unstable_partition([peer ids])` on a node's JSON-RPC cuts it off from those peers (an empty
// list heals): forks and reorgs on demand. `--history <epochs>` (BABE chains) starts the chain that many
// epochs in the past and has the network author that history together: every node reads the same past
// slots from one clock (`--history-start`, once all nodes should be up) and authors those it can claim,
// a block every `--history-block-time` ms (default 1000); each node rotates its validator's GRANDPA key
// once a session, so every session change is a GRANDPA set change voted by the network.
// `--chain <relay spec> --parachain <para spec>` (e.g. polkadot-dev and the Coretime dev spec from
// `sublight chain-spec parachain-dev`): the relay rewritten for two validators (Alice, Bob) with the
// parachain registered in its genesis (`chain-spec/relay-paras.ts`), one relay node holding both keys on
// the first ports, and the parachain's collator (`sublight dev --relay`, Alice) on the next. Output:
//   relay rpc <ws url> p2p <multiaddr>
//   parachain <para id> rpc <ws url> p2p <multiaddr>
//   relay #<best> finalized #<n> parachain #<best> finalized #<m>     each time either finality moves

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { genesisHeader, genesisStorage, parseChainSpec, type ChainSpec } from '../chain-spec/index.ts'
import { withGenesisParachains } from '../chain-spec/relay-paras.ts'
import { utf8 } from '../codec/index.ts'
import { encodeHeader } from '../header/index.ts'
import { MAX_VALIDATORS, validatorSuris, withValidators } from '../chain-spec/validators.ts'
import { CliError } from './errors.ts'
import { stopSignal } from './signals.ts'
import { optionValue, portValue } from './args.ts'
import { BUILT_IN_CHAIN, latencyValue } from './dev.ts'

const USAGE = 'usage: sublight testnet --nodes <n> [--chain <spec.json>] [--base-path <dir>] [--rpc-port <port>] [--port <port>] [--latency <ms>] [--history <epochs> [--history-block-time <ms>]] | sublight testnet --chain <relay spec.json> --parachain <para spec.json> [--base-path <dir>] [--rpc-port <port>] [--port <port>]'
const BIN = fileURLToPath(new URL('../../bin/sublight.js', import.meta.url))
/** How long a node may take to start listening. */
const START_TIMEOUT_MS = 60_000
/** How long a node may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000
/** A shared history starts this long after launch per node (a node loads its chain and runtime first), … */
const HISTORY_START_PER_NODE_MS = 4_000
/** … plus this (the last node's peers connect). */
const HISTORY_START_MARGIN_MS = 3_000
/**
 * Real time per history block in a network: each node imports every block and voting keeps up. At 500 ms
 * a loaded machine imported a block after the next slot's author had built beside it; a session left
 * with one block that way gets no key rotation (a session's first block is full with its rotation) and,
 * two sessions later, no set change.
 */
const HISTORY_BLOCK_MS = 1000

/** Relay validators of a parachain testnet (the fewest with which candidates become available). */
const PARACHAIN_RELAY_VALIDATORS = 2

/** `--parachain <spec.json>`: its text and parsed spec, which must be a raw parachain spec. */
async function readParachain(path: string): Promise<{ text: string; spec: ChainSpec }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new CliError(`--parachain: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const spec = parseChainSpec(text)
  if (spec.paraId === undefined) throw new CliError(`--parachain: ${path} is not a parachain spec (no para_id)`)
  if (spec.genesis.kind !== 'raw') throw new CliError(`--parachain: ${path} has no raw genesis storage`)
  return { text, spec }
}

interface NodeProcess {
  index: number
  proc: ChildProcess
  p2p?: string
  rpc?: string
  /** Latest finality report: forks and reorgs as this node counts them. */
  forks: number
  reorgs: number
}

export async function testnetCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let count: number | undefined
  let chain: string | undefined
  let basePath: string | undefined
  let rpcPort = 9944
  let port = 30333
  let latency: number | undefined
  let history: string | undefined
  let historyBlockMs: string | undefined
  let parachain: string | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--nodes') {
      const v = val()
      count = Number(v)
      if (!/^\d+$/.test(v) || count < 1 || count > MAX_VALIDATORS) throw new CliError(`--nodes: ${v} is not a number of nodes (1 to ${MAX_VALIDATORS})`)
    } else if (a === '--chain') chain = val()
    else if (a === '--base-path') basePath = val()
    else if (a === '--rpc-port') rpcPort = portValue(val(), a)
    else if (a === '--port') port = portValue(val(), a)
    else if (a === '--latency') latency = latencyValue(val())
    // checked by each node's own parser (sublight dev), which gets them as given
    else if (a === '--history') history = val()
    else if (a === '--history-block-time') historyBlockMs = val()
    else if (a === '--parachain') parachain = val()
    else throw new CliError(`unknown option ${a}\n${USAGE}`)
  }
  if (parachain !== undefined) {
    // one relay node holding every validator key: backing and availability need the votes of several
    // validators, which relay nodes of one key each would have to gossip (not done: see para-backing.ts)
    if (count !== undefined && count !== 1) throw new CliError('--parachain runs one relay node holding every validator key (--nodes 1, the default with --parachain)')
    if (history !== undefined || latency !== undefined) throw new CliError('--history and --latency are not for a parachain testnet')
    count = 1
  }
  if (count === undefined) throw new CliError(`--nodes is required\n${USAGE}`)
  if (historyBlockMs !== undefined && history === undefined) throw new CliError('--history-block-time goes with --history')
  if (history !== undefined && (!/^\d+$/.test(history) || Number(history) < 1 || Number(history) > 100_000)) throw new CliError(`--history: ${history} is not a number of epochs (1 to 100000)`)
  if (rpcPort === 0 || port === 0) throw new CliError('--rpc-port and --port need a fixed first port: the nodes count up from it')
  // a parachain testnet's collator takes the ports after the relay node's
  const processes = parachain === undefined ? count : 2
  if (rpcPort + processes - 1 > 65535 || port + processes - 1 > 65535) throw new CliError('the nodes’ ports would pass 65535')
  const specFile = chain ?? BUILT_IN_CHAIN
  let text: string
  try {
    text = await readFile(specFile, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${specFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  parseChainSpec(text)
  // a parachain testnet: two relay validators (availability needs more than two thirds of them), both
  // held by the one relay node, and the parachain registered in the relay's genesis
  const suris = validatorSuris(parachain === undefined ? count : PARACHAIN_RELAY_VALIDATORS)
  const para = parachain === undefined ? undefined : await readParachain(parachain)
  let derived = withValidators(JSON.parse(text), suris)
  if (para) {
    derived = withGenesisParachains(derived, [{ id: para.spec.paraId!, genesisHead: encodeHeader(genesisHeader(para.spec)), validationCode: genesisStorage(para.spec.genesis as never).get(utf8(':code'))! }])
    if (para.spec.relayChain !== derived.id) err(`warning: ${parachain} names ${para.spec.relayChain} as its relay chain, not this relay (${String(derived.id)}): light clients will not pair them\n`)
  }

  const dir = basePath ?? (await mkdtemp(join(tmpdir(), 'sublight-testnet-')))
  await mkdir(dir, { recursive: true })
  const specPath = join(dir, 'testnet-spec.json')
  await writeFile(specPath, JSON.stringify(derived))
  const paraPath = join(dir, 'parachain-spec.json')
  if (para) await writeFile(paraPath, para.text)

  // Ctrl-C is handled from before the lines tools wait for (see `stopSignal`)
  const stopped = stopSignal()
  const nodes: NodeProcess[] = []
  let stopping = false
  let finalized = -1
  // a parachain testnet: one line each time the relay's or the parachain's finality moves
  const heads = { relay: { best: 0, finalized: 0 }, para: { best: 0, finalized: 0 } }
  let lastStatus = ''
  /** Status lines follow the `relay …` and `parachain …` lines. */
  let up = false
  const onStatus = (which: 'relay' | 'para', line: string) => {
    const m = /^#(\d+) 0x[0-9a-f]{64} finalized #(\d+)/.exec(line)
    if (!m) return
    heads[which] = { best: Number(m[1]), finalized: Number(m[2]) }
    const status = `relay #${heads.relay.best} finalized #${heads.relay.finalized} parachain #${heads.para.best} finalized #${heads.para.finalized}`
    const key = `${heads.relay.finalized} ${heads.para.finalized}`
    if (key === lastStatus || !up) return
    lastStatus = key
    out(`${status}\n`)
  }
  const onFinality = (n: NodeProcess, line: string) => {
    if (para) return onStatus(n.index === 0 ? 'relay' : 'para', line)
    const m = /^finalized #(\d+) (0x[0-9a-f]{64}) round \d+ precommits \d+ best #(\d+) forks (\d+) reorgs (\d+)/.exec(line)
    if (!m) return
    n.forks = Number(m[4])
    n.reorgs = Number(m[5])
    const number = Number(m[1])
    if (number <= finalized) return
    finalized = number
    const forks = Math.max(...nodes.map((x) => x.forks))
    const reorgs = nodes.reduce((s, x) => s + x.reorgs, 0)
    out(`finalized #${number} ${m[2]} best #${m[3]} forks ${forks} reorgs ${reorgs}\n`)
  }
  const stopAll = async () => {
    stopping = true
    await Promise.all(
      nodes.map(async ({ proc }) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS)
        await exited
        clearTimeout(timer)
      }),
    )
    if (!basePath) await rm(dir, { recursive: true, force: true })
  }

  // one moment for every node: the history ends then, and is authored from then on
  const historyArgs = history === undefined ? [] : ['--history', history, '--history-block-time', historyBlockMs ?? String(HISTORY_BLOCK_MS), '--history-start', String(Date.now() + suris.length * HISTORY_START_PER_NODE_MS + HISTORY_START_MARGIN_MS)]
  // without --base-path each node keeps its chain in its own temporary directory, which it removes
  // when it stops, even when this process was killed
  const storage = (index: number) => (basePath ? ['--base-path', join(dir, `node${index}`)] : ['--tmp'])
  const launches: string[][] = para
    ? [
        ['dev', '--chain', specPath, ...suris.flatMap((k) => ['--key', k]), '--listen', `/ip4/127.0.0.1/tcp/${port}/ws`, '--rpc-port', String(rpcPort), ...storage(0)],
        // the collator: Alice, following the relay node's JSON-RPC
        ['dev', '--chain', paraPath, '--key', '//Alice', '--listen', `/ip4/127.0.0.1/tcp/${port + 1}/ws`, '--rpc-port', String(rpcPort + 1), ...storage(1), '--relay', `ws://127.0.0.1:${rpcPort}`],
      ]
    : suris.map((suri, index) => ['dev', '--chain', specPath, '--key', suri, '--listen', `/ip4/127.0.0.1/tcp/${port + index}/ws`, '--rpc-port', String(rpcPort + index), ...storage(index), ...(latency ? ['--latency', String(latency)] : []), ...historyArgs])
  try {
    for (const [index, launch] of launches.entries()) {
      // each node dials the validators started before it (a collator talks to its relay over JSON-RPC)
      const boots = para ? [] : nodes.flatMap((n) => ['--bootnodes', n.p2p!])
      const nodeArgs = [...launch, ...boots]
      const proc = spawn(process.execPath, [...process.execArgv, BIN, ...nodeArgs], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      const node: NodeProcess = { index, proc, forks: 0, reorgs: 0 }
      nodes.push(node)
      const label = para ? (index === 0 ? 'relay' : 'parachain') : `node ${index}`
      createInterface({ input: proc.stderr! }).on('line', (l) => err(`[${label}] ${l}\n`))
      const up = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CliError(`node ${index} did not start listening within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)
        createInterface({ input: proc.stdout! }).on('line', (l) => {
          const listening = /^listening on (\S+)/.exec(l)
          const rpc = /^rpc on (\S+)/.exec(l)
          if (listening && !node.p2p) node.p2p = listening[1]
          if (rpc) node.rpc = rpc[1]
          if (node.p2p && node.rpc) {
            clearTimeout(timer)
            resolve()
          }
          onFinality(node, l)
        })
        proc.once('exit', (code, signal) => {
          clearTimeout(timer)
          if (!stopping) err(`node ${index} exited (${signal ?? `code ${code}`})\n`)
          reject(new CliError(`node ${index} exited before it was up`))
        })
      })
      up.catch(() => {})
      await up
    }
    // every node has read the spec: nothing of ours is left on disk if this process is killed from now on
    if (!basePath) await rm(dir, { recursive: true, force: true })
    if (para) {
      out(`relay rpc ${nodes[0].rpc} p2p ${nodes[0].p2p}\n`)
      out(`parachain ${para.spec.paraId} rpc ${nodes[1].rpc} p2p ${nodes[1].p2p}\n`)
      up = true
    } else for (const n of nodes) out(`node ${n.index} rpc ${n.rpc} p2p ${n.p2p}\n`)
  } catch (e) {
    await stopAll()
    throw e
  }
  await stopped
  await stopAll()
  err('stopped\n')
  return 0
}
