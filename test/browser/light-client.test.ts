// #15 acceptance 2 and 3: sublight's browser build in headless Chromium (Debian's, driven by
// playwright-core), with a `sublight dev` node's WebSocket address as the only boot node. The page
// (bundled by esbuild from `src/browser.ts` / `src/worker.ts`) reports `initialized`, a finalized block
// after it, Alice's account from `chainHead_v1_storage` and `Metadata_metadata` from `chainHead_v1_call`
// — once on the main thread and once through `startFromWorker` — and each must equal the node's own
// state at that block; then polkadot-api's `getSmProvider` on the same page reads a constant and
// Alice's balance, equal to the node's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { Reader, fromHex, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { encodeSs58, sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { DevNode, devChainAccess } from '../../src/full-node/index.ts'
import { bundleForBrowser, launchChromium, needsChromium, PAGE_HTML, serve } from '../support/browser.ts'
import { EDWARDS25519_WASM } from '../../src/crypto/edwards25519-wasm.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/wait.ts'

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url))

test('the browser build follows a devnet in Chromium, in the page and in a Web Worker, and polkadot-api reads through it', { ...needsFixtures, ...needsChromium, timeout: 240_000 }, async () => {
  const specJson = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  const spec = parseChainSpec(JSON.stringify(specJson))
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
  const files = await bundleForBrowser({ 'page.js': here('./page.ts'), 'worker.js': here('./worker.ts') })
  const site = await serve(new Map<string, Uint8Array | string>([...files, ['index.html', PAGE_HTML]]))
  const browser = await launchChromium()
  try {
    const wsAddress = dev.host.addresses().find((a) => a.includes('/ws/'))!
    assert.ok(wsAddress, `the devnet listens on WebSocket (${dev.host.addresses().join(', ')})`)
    specJson.bootNodes = [wsAddress]
    const chainSpec = JSON.stringify(specJson)
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const page = await browser.newPage()
    const consoleLines: string[] = []
    page.on('console', (m) => void consoleLines.push(m.text()))
    page.on('pageerror', (e) => void consoleLines.push(`pageerror: ${e.message}`))
    await page.goto(site.url)
    await page.waitForFunction(() => (window as any).sublightPageReady === true, null, { timeout: 30_000 })
    // the sr25519 arithmetic's module compiles synchronously on the page's main thread (Chrome long refused
    // that above 4 KiB; verification would then fall back to BigInt without failing anything here)
    const compiled = await page.evaluate((b64) => {
      try {
        return new WebAssembly.Module(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))) instanceof WebAssembly.Module
      } catch (e) {
        return String(e)
      }
    }, EDWARDS25519_WASM)
    assert.equal(compiled, true, 'the edwards25519 module compiles on the main thread')

    const alice = sr25519FromSuri('//Alice').publicKey
    const aliceKey = storageKey('System', 'Account', ['Blake2_128Concat', alice])
    const metadata = toHex(await devChainAccess(dev.chain).call(dev.chain.finalized().hash, 'Metadata_metadata', new Uint8Array()))
    for (const mode of ['main', 'worker'] as const) {
      const r = await page.evaluate(([m, s, k]) => (window as any).sublightPage.follow(m, s, k), [mode, chainSpec, toHex(aliceKey)] as const).catch((e: Error) => {
        throw new Error(`${mode}: ${e.message}\n${consoleLines.slice(-20).join('\n')}`)
      })
      assert.equal(r.genesisHash, toHex(dev.chain.genesisHash), mode)
      assert.equal(r.specName, 'node-template', mode)
      const init = dev.chain.block(fromHex(r.initialized))
      assert.ok(init && init.header.number >= 1, `${mode}: initialized at one of the node's finalized blocks, not genesis`)
      assert.ok(r.finalizedAfter.length > 0, mode)
      for (const h of r.finalizedAfter) assert.ok(dev.chain.block(fromHex(h))!.header.number > init.header.number, `${mode}: finalized ${h} is the node's, after initialized`)
      assert.equal(r.storageValue, toHex(init.state!.get(aliceKey)!), `${mode}: Alice's account is the node's`)
      assert.equal(r.callEvent, 'operationCallDone', mode)
      assert.equal(r.metadata, metadata, `${mode}: Metadata_metadata is the node's`)
      assert.ok(r.msInitialized > r.msGenesisHash, mode)
    }

    for (const mode of ['main', 'worker'] as const) {
      const p = await page.evaluate(([m, s, a]) => (window as any).sublightPage.polkadotApi(m, s, a), [mode, chainSpec, encodeSs58(alice)] as const)
      const block = dev.chain.block(fromHex(p.finalized))
      assert.ok(block, `${mode}: polkadot-api's finalized block is the node's`)
      assert.equal(p.ss58Prefix, 42)
      const raw = new Reader(block.state!.get(aliceKey)!)
      assert.equal(p.nonce, raw.u32(), mode)
      raw.u32(), raw.u32(), raw.u32()
      assert.equal(BigInt(p.free), raw.u128(), `${mode}: Alice's free balance is the node's`)
    }
  } finally {
    await browser.close()
    await site.close()
    await dev.stop()
  }
})
