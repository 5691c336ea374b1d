// Browser plumbing for tests and benchmarks: Debian's Chromium (installed by .ci/run; never downloaded)
// driven headless by playwright-core, and a localhost server for pages bundled with esbuild. Tests pass
// `needsChromium`, which skips with a clear message when Chromium is absent; under CI=true that fails.
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { extname } from 'node:path'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.SUBLIGHT_CHROMIUM ?? '/usr/bin/chromium'
const SKIP = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set SUBLIGHT_CHROMIUM)`
if (!existsSync(CHROMIUM) && process.env.CI === 'true') throw new Error(`CI=true but ${SKIP}`)
/** `{ skip }` option for node:test. */
export const needsChromium = existsSync(CHROMIUM) ? {} : { skip: SKIP }

/** Headless Chromium with the flags this closed network needs (no background connections to Google). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}

/** Bundles each entry (name → source file) for the browser: ESM, no Node built-ins allowed. */
export async function bundleForBrowser(entries: Record<string, string>): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>()
  for (const [name, file] of Object.entries(entries)) {
    const r = await build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent', minify: true })
    out.set(name, r.outputFiles[0].contents)
  }
  return out
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' }

/** Serves `files` (path → bytes) on 127.0.0.1; `url` ends with a slash. */
export async function serve(files: Map<string, Uint8Array | string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/^\//, '') || 'index.html'
    const body = files.get(path)
    if (body === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) }
}

export const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>sublight</title><script type="module" src="page.js"></script>'
