// #29 browser verification at native speed: the precommit signatures of real justifications (Rococo's 21
// recorded, 46–55 signers each, and Polkadot #4,635,975's 199) checked in headless Chromium (Debian's) by
// sublight's path — WebCrypto Ed25519 ahead of time (`preverifyEd25519`), then `ed25519Verify` — and by the
// pure-JS fallback (@noble/curves) on other justifications, against Node's native `crypto.verify` (keys
// parsed) on all of them in the same run: µs per signature and the ratio to native.
import { createPublicKey, verify } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { toHex, fromHex } from '../src/codec/index.ts'
import { decodeJustification, precommitSignatures } from '../src/finality/index.ts'
import { bundleForBrowser, launchChromium, serve } from '../test/support/browser.ts'
import { readFixture } from '../test/support/fixtures.ts'

const rococo = JSON.parse(new TextDecoder().decode(readFixture('recorded', 'grandpa', 'rococo_justifications.json'))).justifications as { justification_hex: string; set_id: number }[]
const sets = rococo.map((r) => precommitSignatures(decodeJustification(fromHex(r.justification_hex)), BigInt(r.set_id)))
sets.push(precommitSignatures(decodeJustification(readFixture('recorded', 'grandpa', 'polkadot_4635975_justification.bin')), 450n))
const all = sets.flat()

// Node's native Ed25519, the physical limit here (keys parsed once, as sublight does)
const SPKI = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])
const keys = all.map((s) => createPublicKey({ key: Buffer.from([...SPKI, ...s.publicKey]), format: 'der', type: 'spki' }))
let best = Infinity
for (let round = 0; round < 5; round++) {
  const t0 = performance.now()
  all.forEach((s, i) => verify(null, s.message, keys[i], s.signature) || (() => { throw new Error('invalid') })())
  best = Math.min(best, ((performance.now() - t0) * 1000) / all.length)
}

const toItems = (xs: typeof all) => xs.map((s) => ({ signature: toHex(s.signature), message: toHex(s.message), publicKey: toHex(s.publicKey) }))
const files = await bundleForBrowser({ 'page.js': fileURLToPath(new URL('./browser/ed25519-page.ts', import.meta.url)) })
const site = await serve(new Map<string, Uint8Array | string>([...files, ['index.html', '<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>']]))
const browser = await launchChromium()
try {
  const page = await browser.newPage()
  await page.goto(site.url)
  await page.waitForFunction('typeof window.benchEd25519 === "function"')
  // the pure-JS path on 4 Rococo justifications; sublight's on the other 17 and Polkadot's
  const pure = sets.slice(0, 4).map(toItems)
  const ours = sets.slice(4).map(toItems)
  const r = (await page.evaluate(`window.benchEd25519(${JSON.stringify(pure)}, ${JSON.stringify(ours)})`)) as { pureUs: number; oursUs: number; pureCount: number; oursCount: number; syncUs: number }
  if (r.oursCount !== ours.flat().length || r.pureCount !== pure.flat().length) throw new Error(`not every signature verified: ${JSON.stringify(r)}`)
  const row = (name: string, us: number) => console.log(`| ${name} | ${us.toFixed(0)} µs | Node's native crypto.verify ${best.toFixed(1)} µs | ${(us / best).toFixed(2)}× |`)
  row(`ed25519 per precommit in Chromium: WebCrypto ahead of time + ed25519Verify (${r.oursCount} real signatures)`, r.oursUs)
  console.log(`  of which the synchronous verifier finding them proven: ${r.syncUs.toFixed(1)} µs per signature`)
  row(`same, pure JS (@noble/curves, no WebCrypto Ed25519; ${r.pureCount} signatures)`, r.pureUs)
} finally {
  await browser.close()
  await site.close()
}
