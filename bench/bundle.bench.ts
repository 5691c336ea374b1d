// #15 bundle report: the light client as a browser bundle (esbuild, ESM, minified, code splitting as an
// app's bundler does; entry `src/browser.ts`, what `sublight/browser` ships): what a page loads at start
// next to smoldot 3.4.1's browser entry bundled the same way (its WebAssembly ships inside its JS as
// base64), each as min, min + gzip, min + brotli; then what each dependency costs in our bundle, so the
// next cut is obvious. The entry reaches no Node built-in (the build fails if it does).
import { build } from 'esbuild'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { resolve } from 'node:path'

/**
 * The entry bundled with code splitting, as an app's bundler (Vite, webpack, Rollup) does it: what a page
 * loads at start is the entry's chunk and the chunks it imports statically; modules only imported
 * dynamically (a full node's Kademlia) are chunks of their own, loaded only if ever needed.
 */
async function bundle(entry: string, external: string[] = []) {
  const r = await build({ entryPoints: [entry], bundle: true, splitting: true, outdir: '/bundle', format: 'esm', platform: 'browser', minify: true, write: false, metafile: true, logLevel: 'silent', external })
  const outputs = r.metafile.outputs
  const first = new Set<string>()
  const visit = (file: string) => {
    if (first.has(file)) return
    first.add(file)
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path)
  }
  visit(Object.keys(outputs).find((f) => outputs[f].entryPoint)!)
  const loadedFirst = new Set([...first].map((f) => resolve(f)))
  const files = r.outputFiles.filter((f) => loadedFirst.has(f.path))
  const out = new Uint8Array(files.reduce((n, f) => n + f.contents.length, 0))
  let at = 0
  for (const f of files) {
    out.set(f.contents, at)
    at += f.contents.length
  }
  const inputs: Record<string, { bytesInOutput: number }> = {}
  for (const f of first) for (const [k, v] of Object.entries(outputs[f].inputs)) inputs[k] = { bytesInOutput: (inputs[k]?.bytesInOutput ?? 0) + v.bytesInOutput }
  const later = Object.keys(outputs).filter((f) => !first.has(f) && !f.endsWith('.map')).reduce((n, f) => n + outputs[f].bytes, 0)
  return { min: out.length, gzip: gzipSync(out).length, brotli: brotliCompressSync(out).length, inputs, later }
}
const kb = (n: number) => `${(n / 1024).toFixed(0).padStart(6)} KiB`
const ours = await bundle(new URL('../src/browser.ts', import.meta.url).pathname, [])
const theirs = await bundle(new URL('../node_modules/smoldot/dist/mjs/index-browser.js', import.meta.url).pathname)
console.log(`loaded at start (the entry's chunk and what it imports statically); chunks loaded only on demand: sublight ${kb(ours.later)}, smoldot ${kb(theirs.later)} minified`)
for (const k of ['min', 'gzip', 'brotli'] as const) console.log(`${`browser bundle, ${k === 'min' ? 'minified' : `minified + ${k}`}`.padEnd(44)} sublight ${kb(ours[k])}   smoldot ${kb(theirs[k])}   ratio ${(ours[k] / theirs[k]).toFixed(3)}×`)
const byPackage = new Map<string, number>()
for (const [file, info] of Object.entries(ours.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  const key = m ? m[1] : file.split('/').slice(0, 2).join('/')
  byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput)
}
console.log('what sublight\'s bundle is made of (minified bytes):')
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${k.padEnd(28)} ${kb(v)}`)
