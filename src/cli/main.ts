// `sublight` command-line entry: dispatches sub-commands; each returns an exit code. Bad input (missing
// file, bad JSON, bad spec, bad usage) prints one clear line on stderr and exits 1, no stack trace.

import { ChainSpecError } from '../chain-spec/index.ts'
import { chainSpecCommand } from './chain-spec.ts'
import { runtimeCommand } from './runtime.ts'
import { verifyCommand } from './verify.ts'
import { nodeCommand } from './node.ts'
import { devCommand } from './dev.ts'
import { lightCommand } from './light.ts'
import { ExecutorError } from '../executor/index.ts'
import { CliError } from './errors.ts'

const USAGE = `usage: sublight <command> [options]

commands:
  light [--chain <name | spec.json>] [--rpc-port 9944] [--database <file>] [--bootnodes <multiaddr>...]
                                 a light client behind a local JSON-RPC endpoint (see sublight light --help)
  chain-spec <file> [--json]     summarize a chain spec (genesis hash, state root, checkpoint, runtime)
  runtime version <spec.json | runtime.wasm[.zstd]> [--json]
                                 execute Core_version and print the runtime version
  runtime call <spec.json> <Method_name> [0xargs] [--time]
                                 run a runtime call on the spec's genesis storage; prints the output hex
  verify checkpoint <spec.json>  verify the checkpoint header's BABE pre-digest, VRF and seal
  node --chain <spec.json> [--listen <multiaddr>...] [--node-key <hex32>]
                                 serve the chain from its genesis storage over libp2p
  dev --chain <spec.json> [--tmp] [--listen <multiaddr>...] [--alice | --key <suri>...]
                                 author Aura blocks (node-template) and serve them
`

const out = (s: string): void => void process.stdout.write(s)

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    switch (cmd) {
      case undefined:
        process.stderr.write(USAGE)
        return 1
      case '-h':
      case '--help':
      case 'help':
        out(USAGE)
        return 0
      case 'chain-spec':
        return await chainSpecCommand(rest, out)
      case 'light':
        return await lightCommand(rest, out, (s) => void process.stderr.write(s))
      case 'dev':
        return await devCommand(rest, out, (s) => void process.stderr.write(s))
      case 'node':
        return await nodeCommand(rest, out, (s) => void process.stderr.write(s))
      case 'verify':
        return await verifyCommand(rest, out)
      case 'runtime':
        return await runtimeCommand(rest, out, (s) => void process.stderr.write(s))
      default:
        throw new CliError(`unknown command '${cmd}' (try 'sublight --help')`)
    }
  } catch (e) {
    if (e instanceof CliError || e instanceof ChainSpecError || e instanceof ExecutorError) {
      process.stderr.write(`sublight: ${e.message}\n`)
      return 1
    }
    // Unexpected: still one line, but say it is a bug.
    process.stderr.write(`sublight: internal error: ${(e as Error)?.message ?? String(e)}\n`)
    return 2
  }
}
