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
// a block every `--history-block-time` ms (default 500); each node rotates its validator's GRANDPA key
// once a session, so every session change is a GRANDPA set change voted by the network.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseChainSpec } from '../chain-spec/index.ts'
import { MAX_VALIDATORS, validatorSuris, withValidators } from '../chain-spec/validators.ts'
import { CliError } from './errors.ts'
import { stopSignal } from './signals.ts'
import { optionValue, portValue } from './args.ts'
import { BUILT_IN_CHAIN, latencyValue } from './dev.ts'

const USAGE = 'usage: sublight testnet --nodes <n> [--chain <spec.json>] [--base-path <dir>] [--rpc-port <port>] [--port <port>] [--latency <ms>] [--history <epochs> [--history-block-time <ms>]]'
const BIN = fileURLToPath(new URL('../../bin/sublight.js', import.meta.url))
/** How long a node may take to start listening. */
const START_TIMEOUT_MS = 60_000
/** How long a node may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000
/** A shared history starts this long after launch per node (a node loads its chain and runtime first), … */
const HISTORY_START_PER_NODE_MS = 4_000
/** … plus this (the last node's peers connect). */
const HISTORY_START_MARGIN_MS = 3_000
/** Real time per history block in a network (each node imports every block; voting keeps up). */
const HISTORY_BLOCK_MS = 500

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
    else throw new CliError(`unknown option ${a}\n${USAGE}`)
  }
  if (count === undefined) throw new CliError(`--nodes is required\n${USAGE}`)
  if (historyBlockMs !== undefined && history === undefined) throw new CliError('--history-block-time goes with --history')
  if (history !== undefined && (!/^\d+$/.test(history) || Number(history) < 1 || Number(history) > 100_000)) throw new CliError(`--history: ${history} is not a number of epochs (1 to 100000)`)
  if (rpcPort === 0 || port === 0) throw new CliError('--rpc-port and --port need a fixed first port: the nodes count up from it')
  if (rpcPort + count - 1 > 65535 || port + count - 1 > 65535) throw new CliError('the nodes’ ports would pass 65535')
  const specFile = chain ?? BUILT_IN_CHAIN
  let text: string
  try {
    text = await readFile(specFile, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${specFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  parseChainSpec(text)
  const suris = validatorSuris(count)
  const derived = withValidators(JSON.parse(text), suris)

  const dir = basePath ?? (await mkdtemp(join(tmpdir(), 'sublight-testnet-')))
  await mkdir(dir, { recursive: true })
  const specPath = join(dir, 'testnet-spec.json')
  await writeFile(specPath, JSON.stringify(derived))

  // Ctrl-C is handled from before the lines tools wait for (see `stopSignal`)
  const stopped = stopSignal()
  const nodes: NodeProcess[] = []
  let stopping = false
  let finalized = -1
  const onFinality = (n: NodeProcess, line: string) => {
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
  try {
    for (const [index, suri] of suris.entries()) {
      const boots = nodes.flatMap((n) => ['--bootnodes', n.p2p!])
      // without --base-path each node keeps its chain in its own temporary directory, which it removes
      // when it stops, even when this process was killed
      const storage = basePath ? ['--base-path', join(dir, `node${index}`)] : ['--tmp']
      const nodeArgs = ['dev', '--chain', specPath, '--key', suri, '--listen', `/ip4/127.0.0.1/tcp/${port + index}/ws`, '--rpc-port', String(rpcPort + index), ...storage, ...boots, ...(latency ? ['--latency', String(latency)] : []), ...historyArgs]
      const proc = spawn(process.execPath, [...process.execArgv, BIN, ...nodeArgs], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      const node: NodeProcess = { index, proc, forks: 0, reorgs: 0 }
      nodes.push(node)
      createInterface({ input: proc.stderr! }).on('line', (l) => err(`[node ${index}] ${l}\n`))
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
    for (const n of nodes) out(`node ${n.index} rpc ${n.rpc} p2p ${n.p2p}\n`)
  } catch (e) {
    await stopAll()
    throw e
  }
  await stopped
  await stopAll()
  err('stopped\n')
  return 0
}
