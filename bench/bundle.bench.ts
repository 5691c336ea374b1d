// #15 bundle report: the light client as a browser bundle (esbuild, ESM, minified; entry `src/browser.ts`,
// what `sublight/browser` ships)
// next to smoldot 3.4.1's browser entry bundled the same way (its WebAssembly ships inside its JS as
// base64), each as min, min + gzip, min + brotli; then what each dependency costs in our bundle, so the
// next cut is obvious. The entry reaches no Node built-in (the build fails if it does).
import { build } from 'esbuild'
import { brotliCompressSync, gzipSync } from 'node:zlib'

async function bundle(entry: string, external: string[] = []) {
  const r = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, metafile: true, logLevel: 'silent', external })
  const out = r.outputFiles[0].contents
  return { min: out.length, gzip: gzipSync(out).length, brotli: brotliCompressSync(out).length, inputs: Object.values(r.metafile.outputs)[0].inputs }
}
const kb = (n: number) => `${(n / 1024).toFixed(0).padStart(6)} KiB`
const ours = await bundle(new URL('../src/browser.ts', import.meta.url).pathname, [])
const theirs = await bundle(new URL('../node_modules/smoldot/dist/mjs/index-browser.js', import.meta.url).pathname)
for (const k of ['min', 'gzip', 'brotli'] as const) console.log(`${`browser bundle, ${k === 'min' ? 'minified' : `minified + ${k}`}`.padEnd(44)} sublight ${kb(ours[k])}   smoldot ${kb(theirs[k])}   ratio ${(ours[k] / theirs[k]).toFixed(3)}×`)
const byPackage = new Map<string, number>()
for (const [file, info] of Object.entries(ours.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  const key = m ? m[1] : file.split('/').slice(0, 2).join('/')
  byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput)
}
console.log('what sublight\'s bundle is made of (minified bytes):')
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${k.padEnd(28)} ${kb(v)}`)
