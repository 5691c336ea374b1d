// Acceptance (#16 item 5): every command's --help lists every flag the README's CLI section shows for
// it, and `--version` prints the package's version.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { main } from '../../src/cli/main.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const root = new URL('../../', import.meta.url)

/** Runs the CLI in this process (no start-up cost per command), returning what it printed on stdout. */
async function cli(args: string[]): Promise<string> {
  let printed = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write
  try {
    assert.equal(await main(args), 0)
  } finally {
    process.stdout.write = write
  }
  return printed
}

test('each command\'s --help lists the flags the README documents; --version', async () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8')
  const block = readme.slice(readme.indexOf('## CLI'))
  const code = block.slice(block.indexOf('```sh') + 5, block.indexOf('```', block.indexOf('```sh') + 5))
  const byCommand = new Map<string, Set<string>>()
  for (const line of code.split('\n')) {
    const m = /npx sublight ([a-z-]+)/.exec(line)
    if (!m) continue
    const flags = byCommand.get(m[1]) ?? new Set()
    for (const f of line.split('#')[0].matchAll(/--[a-z][a-z-]*/g)) flags.add(f[0])
    byCommand.set(m[1], flags)
  }
  assert.deepEqual([...byCommand.keys()].sort(), ['chain-spec', 'dev', 'light', 'node', 'runtime', 'testnet', 'verify'])
  for (const [cmd, flags] of byCommand) {
    const help = await cli([cmd, '--help'])
    for (const f of flags) assert.ok(help.includes(f), `sublight ${cmd} --help lists ${f}`)
    for (const line of help.split('\n').filter((l) => /^\s+--(rpc-port|log|chain|listen)\b/.test(l) && !/required/.test(l))) assert.match(line, /default/, `${cmd}: "${line.trim()}" names its default`)
  }
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  assert.equal((await cli(['--version'])).trim(), `sublight ${pkg.version}`)
  // and through the installed command itself
  assert.equal(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim(), `sublight ${pkg.version}`)
})
