// `npm run pack:chopsticks-executor -- <dir>`: writes into <dir> the package tarball of sublight
// (`sublight-<version>.tgz`, built by `npm pack`) and of the shim `sublight-chopsticks-executor-<version>.tgz`,
// a package that re-exports `sublight/chopsticks-executor` under the module shape of
// `@acala-network/chopsticks-executor` and depends on that sublight. A Chopsticks project switches with npm
// `overrides` (README, "Chopsticks on our executor"):
//   "@acala-network/chopsticks-executor": "file:<dir>/sublight-chopsticks-executor-<version>.tgz",
//   "sublight": "file:<dir>/sublight-<version>.tgz"
// Prints the two tarballs' paths, one per line.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const out = resolve(process.argv[2] ?? '.')
mkdirSync(out, { recursive: true })
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

execFileSync(npm, ['pack', '--silent', '--pack-destination', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })

const shim = mkdtempSync(join(tmpdir(), 'sublight-chopsticks-executor-'))
try {
  writeFileSync(
    join(shim, 'package.json'),
    JSON.stringify(
      {
        name: 'sublight-chopsticks-executor',
        version,
        description: "@acala-network/chopsticks-executor's API on sublight's executor (runtimes on the host's WebAssembly engine)",
        license: 'MIT',
        type: 'module',
        main: './index.js',
        types: './index.d.ts',
        exports: { '.': { types: './index.d.ts', default: './index.js' } },
        engines: { node: '>=20.19.0' },
        dependencies: { sublight: version },
      },
      null,
      2,
    ) + '\n',
  )
  const reexport = "export * from 'sublight/chopsticks-executor'\nexport { default } from 'sublight/chopsticks-executor'\n"
  writeFileSync(join(shim, 'index.js'), reexport)
  writeFileSync(join(shim, 'index.d.ts'), reexport)
  writeFileSync(
    join(shim, 'README.md'),
    `# sublight-chopsticks-executor\n\nA drop-in for \`@acala-network/chopsticks-executor\`: Chopsticks runs runtimes on sublight's executor\n(the host's WebAssembly engine) instead of an interpreter. In your project's package.json:\n\n    "overrides": { "@acala-network/chopsticks-executor": "npm:sublight-chopsticks-executor@${version}" }\n`,
  )
  execFileSync(npm, ['pack', '--silent', '--pack-destination', out], { cwd: shim, stdio: ['ignore', 'ignore', 'inherit'] })
} finally {
  rmSync(shim, { recursive: true, force: true })
}
console.log(join(out, `sublight-${version}.tgz`))
console.log(join(out, `sublight-chopsticks-executor-${version}.tgz`))
