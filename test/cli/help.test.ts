// Acceptance (#16 item 5): every command's --help lists every flag the README's CLI section shows for
// it, and `--version` prints the package's version.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const root = new URL('../../', import.meta.url)

test('each command\'s --help lists the flags the README documents; --version', () => {
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
  assert.deepEqual([...byCommand.keys()].sort(), ['chain-spec', 'dev', 'light', 'node', 'runtime', 'verify'])
  for (const [cmd, flags] of byCommand) {
    const help = execFileSync(process.execPath, [bin, cmd, '--help'], { encoding: 'utf8' })
    for (const f of flags) assert.ok(help.includes(f), `sublight ${cmd} --help lists ${f}`)
    for (const line of help.split('\n').filter((l) => /^\s+--(rpc-port|log|chain|listen)\b/.test(l) && !/required/.test(l))) assert.match(line, /default/, `${cmd}: "${line.trim()}" names its default`)
  }
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  assert.equal(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim(), `sublight ${pkg.version}`)
})
