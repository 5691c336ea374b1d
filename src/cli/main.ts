// `sublight` command-line entry: dispatches sub-commands (each loaded on demand, so `sublight light` never
// loads the full node's SQLite); each returns an exit code. Bad input (missing
// file, bad JSON, bad spec, bad usage) prints one clear line on stderr and exits 1, no stack trace.

import { ChainSpecError } from '../chain-spec/errors.ts'
import { ExecutorError } from '../executor/errors.ts'
import { CliError } from './errors.ts'
import { COMMAND_HELP, USAGE } from './help.ts'
import { SUBLIGHT_VERSION } from '../version.ts'

const out = (s: string): void => void process.stdout.write(s)

/**
 * An error message as one printable line: control characters (a binary file's bytes quoted by a parser,
 * line breaks, terminal escapes) become \xNN escapes, so nothing raw reaches the terminal.
 */
export function printable(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

export async function main(argv: string[]): Promise<number> {
  // a reader that went away (a closed pipe: the `sublight testnet` that started us was killed) is no
  // reason to crash: we still stop cleanly and remove what we own
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
  const [cmd, ...rest] = argv
  try {
    if (cmd && COMMAND_HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
      out(COMMAND_HELP[cmd])
      return 0
    }
    switch (cmd) {
      case '--version':
      case '-V':
        out(`sublight ${SUBLIGHT_VERSION}\n`)
        return 0
      case undefined:
        process.stderr.write(USAGE)
        return 1
      case '-h':
      case '--help':
      case 'help':
        out(USAGE)
        return 0
      case 'chain-spec':
        return await (await import('./chain-spec.ts')).chainSpecCommand(rest, out)
      case 'light':
        return await (await import('./light.ts')).lightCommand(rest, out, (s) => void process.stderr.write(s))
      case 'dev':
        return await (await import('./dev.ts')).devCommand(rest, out, (s) => void process.stderr.write(s))
      case 'testnet':
        return await (await import('./testnet.ts')).testnetCommand(rest, out, (s) => void process.stderr.write(s))
      case 'node':
        return await (await import('./node.ts')).nodeCommand(rest, out, (s) => void process.stderr.write(s))
      case 'verify':
        return await (await import('./verify.ts')).verifyCommand(rest, out)
      case 'runtime':
        return await (await import('./runtime.ts')).runtimeCommand(rest, out, (s) => void process.stderr.write(s))
      default:
        throw new CliError(`unknown command '${cmd}' (try 'sublight --help')`)
    }
  } catch (e) {
    if (e instanceof CliError || e instanceof ChainSpecError || e instanceof ExecutorError) {
      process.stderr.write(`sublight: ${printable(e.message)}\n`)
      return 1
    }
    // Unexpected: still one line, but say it is a bug.
    process.stderr.write(`sublight: internal error: ${printable((e as Error)?.message ?? String(e))}\n`)
    return 2
  }
}
