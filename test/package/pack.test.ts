// Acceptance (#15 item 1): the package as users get it. `npm pack` (which builds dist/), installed into a
// fresh project with no tsx and no TypeScript loader and no install scripts (so better-sqlite3's native
// module is never built): `import { start } from 'sublight'` works in plain Node ESM and the light
// client starts and terminates; `require('sublight')` is refused with a clear message (ESM-only, as
// its dependencies are); a TypeScript file using the API type-checks against the shipped .d.ts; the
// `sublight` command runs from compiled JavaScript; browser and worker bundles made from the installed
// package reach the browser and worker entries and nothing Node-only. The tarball holds only what users need.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

const exec = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname

test('npm pack → install in a fresh project: ESM import, CJS refusal, types, the CLI', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-pack-'))
  try {
    const { stdout: packed } = await exec('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: root, maxBuffer: 1 << 24 })
    const info = JSON.parse(packed)[0] as { filename: string; files: { path: string }[] }
    const tops = new Set(info.files.map((f) => f.path.split('/')[0]))
    assert.deepEqual([...tops].sort(), ['ARCHITECTURE.md', 'README.md', 'bin', 'chains', 'cjs', 'dist', 'package.json'])
    assert.ok(!info.files.some((f) => /\.ts$/.test(f.path) && !f.path.endsWith('.d.ts')), 'no TypeScript sources')
    const proj = join(dir, 'proj')
    mkdirSync(proj)
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    await exec('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], { cwd: proj, maxBuffer: 1 << 24 })
    assert.ok(!existsSync(join(proj, 'node_modules', 'tsx')), 'no tsx installed for users')

    // plain Node ESM: the light client starts and stops
    writeFileSync(join(proj, 'use.mjs'), "import { start, AddChainError } from 'sublight'\nconst client = start({ maxLogLevel: 0 })\nlet refused = false\ntry { await client.addChain({ chainSpec: '{}' }) } catch (e) { refused = e instanceof AddChainError }\nawait client.terminate()\nconsole.log(JSON.stringify({ start: typeof start, refused }))\n")
    const { stdout: used } = await exec(process.execPath, ['use.mjs'], { cwd: proj, timeout: 30_000 })
    assert.deepEqual(JSON.parse(used.trim()), { start: 'function', refused: true })
    // CommonJS: a clear refusal
    writeFileSync(join(proj, 'use.cjs'), "try { require('sublight') } catch (e) { console.log(e.message) }\n")
    const { stdout: cjs } = await exec(process.execPath, ['use.cjs'], { cwd: proj })
    assert.match(cjs, /sublight is ESM-only: use `import \{ start \} from 'sublight'`/)
    // TypeScript against the shipped declarations (our compiler; Node's types from our dev dependencies)
    writeFileSync(
      join(proj, 'check.ts'),
      "import { start, type Chain, type Client } from 'sublight'\nimport { startFromWorker } from 'sublight/browser'\nimport { run } from 'sublight/worker'\nconst inWorker: Client = startFromWorker(new Worker('w.js', { type: 'module' }), { maxLogLevel: 1 })\nvoid inWorker\nvoid (run satisfies (port: MessagePort) => Promise<void>)\nconst client: Client = start({ maxLogLevel: 2, forbidWs: true })\nconst chain: Promise<Chain> = client.addChain({ chainSpec: '{}', disableJsonRpc: false })\nvoid chain.then((c) => { c.sendJsonRpc('{}'); return c.nextJsonRpcResponse() })\n// @ts-expect-error: maxLogLevel is a number\nstart({ maxLogLevel: 'loud' })\n",
    )
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['check.ts'] }))
    await exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: proj }).catch((e) => assert.fail(`type-check failed: ${e.stdout}${e.stderr}`))
    // #29: the declarations are self-contained, checked with skipLibCheck: false — a browser app (DOM
    // types, no @types/node) using `sublight/browser` and `sublight/worker`, and a Node app using `sublight`
    // and `sublight/toolkit`: no Node or libp2p type leaks into what a browser app sees
    writeFileSync(join(proj, 'browser-app.ts'), "import { start, startFromWorker, AddChainError, type Chain } from 'sublight/browser'\nimport { run } from 'sublight/worker'\nconst client = startFromWorker(new Worker('w.js', { type: 'module' }))\nconst chain: Promise<Chain> = start().addChain({ chainSpec: '{}' })\nvoid chain.catch((e: unknown) => e instanceof AddChainError)\nvoid client\nvoid (run satisfies (port: MessagePort) => Promise<void>)\n")
    writeFileSync(join(proj, 'tsconfig.browser.json'), JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['dom', 'es2022'], strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['browser-app.ts'] }))
    writeFileSync(join(proj, 'node-app.ts'), "import { start, type Client } from 'sublight'\nimport { blake2_256, toHex } from 'sublight/toolkit'\nconst client: Client = start()\nvoid client\nconst hex: string = toHex(blake2_256(new Uint8Array()))\nvoid hex\n")
    writeFileSync(join(proj, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['node-app.ts'] }))
    for (const config of ['tsconfig.browser.json', 'tsconfig.node.json'])
      await exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: proj }).catch((e) => assert.fail(`${config}: type-check failed: ${e.stdout}${e.stderr}`))
    // browser bundles from the installed package (as a user's bundler would make them): `sublight` under the
    // browser condition and `sublight/browser` reach the browser entry, `sublight/worker` the worker entry;
    // none of them reaches TCP, `ws` or a Node built-in (esbuild fails on `node:*` for the browser platform)
    writeFileSync(join(proj, 'page.mjs'), "import { start, startFromWorker } from 'sublight/browser'\nimport * as main from 'sublight'\nglobalThis.x = [start, startFromWorker, main.start]\n")
    writeFileSync(join(proj, 'worker.mjs'), "import 'sublight/worker'\n")
    for (const entry of ['page.mjs', 'worker.mjs']) {
      const r = await build({ entryPoints: [join(proj, entry)], absWorkingDir: proj, bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' })
      const inputs = Object.keys(r.metafile.inputs)
      assert.ok(inputs.includes(`node_modules/sublight/dist/${entry === 'page.mjs' ? 'browser' : 'worker'}.js`), `${entry}: ${inputs.filter((i) => i.includes('sublight/dist/')).slice(0, 5).join(', ')}`)
      const nodeOnly = inputs.filter((i) => /node_modules\/(@libp2p\/tcp|ws|better-sqlite3)\/|sublight\/dist\/(index|full-node|platform\/node)/.test(i))
      assert.deepEqual(nodeOnly, [], `${entry} reaches nothing Node-only`)
    }
    // the command, compiled
    const { stdout: help } = await exec(join(proj, 'node_modules', '.bin', 'sublight'), ['--help'], { cwd: proj })
    assert.match(help, /^usage: sublight <command>/)
    const { stdout: light } = await exec(join(proj, 'node_modules', '.bin', 'sublight'), ['light', '--help'], { cwd: proj })
    assert.match(light, /--chain <name \| spec.json>/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
