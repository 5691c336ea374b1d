// #15 cold start in the browser: headless Chromium (Debian's) loads a page that starts a light client and
// adds node-template with a `sublight dev` node's WebSocket address as boot node; ms from page load to the
// first answered `chainSpec_v1_genesisHash` and to `initialized`, sublight's browser build vs smoldot
// 3.4.1's, same page, same devnet, same run (runs alternate; medians). Each run is a fresh page (new
// browser context, nothing cached between runs but the HTTP server's bytes).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { DevNode } from '../src/full-node/index.ts'
import { launchChromium, serve } from '../test/support/browser.ts'
import { FIXTURES } from '../test/support/fixtures.ts'

const RUNS = Number(process.env.RUNS ?? 5)
const specJson = JSON.parse(readFileSync(`${FIXTURES}/chain-specs/node-template.json`, 'utf8'))
const dev = await DevNode.start({ spec: parseChainSpec(JSON.stringify(specJson)), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
specJson.bootNodes = [dev.host.addresses().find((a) => a.includes('/ws/'))]
const files = new Map<string, Uint8Array | string>()
for (const client of ['sublight', 'smoldot'] as const) {
  const r = await build({
    entryPoints: [fileURLToPath(new URL(`./browser/${client}-page.ts`, import.meta.url))],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, write: false, logLevel: 'silent',
  })
  files.set(`${client}.js`, r.outputFiles[0].contents)
  files.set(`${client}.html`, `<!doctype html><meta charset="utf-8"><script>window.benchSpec = ${JSON.stringify(JSON.stringify(specJson))}</script><script type="module" src="${client}.js"></script>`)
}
const site = await serve(files)
const browser = await launchChromium()
const times: Record<string, { genesisHash: number[]; initialized: number[] }> = { sublight: { genesisHash: [], initialized: [] }, smoldot: { genesisHash: [], initialized: [] } }
try {
  while (dev.chain.finalized().number < 1) await new Promise((r) => setTimeout(r, 100))
  for (let i = 0; i < RUNS; i++) {
    for (const client of ['sublight', 'smoldot'] as const) {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(`${site.url}${client}.html`)
      await page.waitForFunction(() => (window as any).benchResult !== undefined, null, { timeout: 120_000 })
      const r = await page.evaluate(() => (window as any).benchResult)
      if (r.error) throw new Error(`${client}: ${r.error}`)
      times[client].genesisHash.push(r.genesisHash)
      times[client].initialized.push(r.initialized)
      await context.close()
    }
  }
} finally {
  await browser.close()
  await site.close()
  await dev.stop()
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
for (const k of ['genesisHash', 'initialized'] as const) {
  const a = median(times.sublight[k])
  const b = median(times.smoldot[k])
  console.log(`${`page load → ${k === 'genesisHash' ? 'chainSpec_v1_genesisHash answered' : 'initialized'} (median of ${RUNS})`.padEnd(58)} sublight ${a.toFixed(0).padStart(6)} ms   smoldot ${b.toFixed(0).padStart(6)} ms   ratio ${(a / b).toFixed(2)}×`)
}
console.log(`runs (ms, genesisHash/initialized): sublight ${times.sublight.genesisHash.map((g, i) => `${g.toFixed(0)}/${times.sublight.initialized[i].toFixed(0)}`).join(' ')}; smoldot ${times.smoldot.genesisHash.map((g, i) => `${g.toFixed(0)}/${times.smoldot.initialized[i].toFixed(0)}`).join(' ')}`)
