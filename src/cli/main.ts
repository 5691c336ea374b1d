// `sublight` command-line entry: dispatches sub-commands; each returns an exit code. Errors from bad
// input are printed as one line on stderr (no stack trace) and give exit code 1.

const USAGE = `usage: sublight <command> [options]

commands:
  chain-spec <file> [--json]     summarize a chain spec (genesis hash, state root, checkpoint, runtime)
`

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE)
      return cmd === undefined ? 1 : 0
    default:
      process.stderr.write(`sublight: unknown command '${cmd}'\n${USAGE}`)
      void rest
      return 1
  }
}
