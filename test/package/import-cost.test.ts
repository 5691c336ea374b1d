// Issue 29 (import cost): `import('sublight')` loads smoldot's API only — no libp2p, no executor, no
// WebAssembly hashers, no curves — and the client loads them on its first `addChain`. Checked by the
// modules a fresh process actually loads (a resolve hook records them), not by timing (the time is in
// `npm run bench import`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('../../', import.meta.url).pathname
const HEAVY = [/node_modules\/libp2p\//, /node_modules\/@libp2p\//, /node_modules\/hash-wasm\//, /node_modules\/@noble\/curves\//, /node_modules\/@scure\/sr25519\//, /\/src\/executor\//, /\/src\/network\//]

/** The module URLs a fresh Node process loads running `code` (ESM, from the repository root). */
function loaded(code: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'sublight-imports-')), 'urls.txt')
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(root, 'test/support/record-imports.mjs'), '--input-type=module', '-e', code], { cwd: root, env: { ...process.env, RECORD_IMPORTS: file }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return readFileSync(file, 'utf8').split('\n').filter((u) => u && !u.includes('/node_modules/tsx/'))
}

test("import('sublight') loads smoldot's API only; the first addChain loads the rest", { timeout: 60_000 }, () => {
  for (const entry of ['src/index.ts']) {
    const urls = loaded(`await import('./${entry}')`)
    assert.ok(urls.some((u) => u.endsWith('/src/light-client/api.ts')), `${entry}: the API module is loaded (${urls.length} modules)`)
    for (const heavy of HEAVY) assert.ok(!urls.some((u) => heavy.test(u)), `${entry} loads ${urls.find((u) => heavy.test(u))}`)
    assert.ok(urls.length < 20, `${entry}: ${urls.length} modules`)
  }
  // the client's machinery comes with the first chain (a bad spec is enough to load it)
  const urls = loaded("const { start } = await import('./src/index.ts'); const c = start({ maxLogLevel: 0 }); await c.addChain({ chainSpec: '{}' }).catch(() => {}); await c.terminate()")
  for (const heavy of [/node_modules\/@libp2p\//, /\/src\/network\//, /\/src\/executor\//]) assert.ok(urls.some((u) => heavy.test(u)), `addChain loads ${heavy}`)
})
