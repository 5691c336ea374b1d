// The acceptance test judged by an independent peer: the `smoldot` package, as a light client whose only
// boot node is our node, over TCP and over WebSocket (both at once, each smoldot in its own process).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec, genesisHash } from '../../src/chain-spec/index.ts'
import { storageKey } from '../../src/crypto/index.ts'
import { GenesisChainServer, NetworkHost } from '../../src/network/index.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

const run = promisify(execFile)
const ALICE = Uint8Array.from(Buffer.from('d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d', 'hex'))

test('smoldot follows our node over TCP and WebSocket: runtime, storage and call through our proofs', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const server = new GenesisChainServer(spec)
  const host = await NetworkHost.start({ transports: nodeTransports(), server, listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
  try {
    const tcpAddr = host.addresses().find((a) => !a.includes('/ws'))!
    const wsAddr = host.addresses().find((a) => a.includes('/ws'))!
    const key = storageKey('System', 'Account', ['Blake2_128Concat', ALICE])
    const script = new URL('../support/smoldot-client.mjs', import.meta.url).pathname
    const results = await Promise.all(
      [tcpAddr, wsAddr].map(async (addr) => {
        const { stdout } = await run(process.execPath, [script, fixturePath('chain-specs', 'node-template.json'), addr, toHex(key)], { timeout: 90_000, maxBuffer: 64 << 20 })
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
        assert.ok(line, `no result from smoldot via ${addr}`)
        return [addr, JSON.parse(line.slice(7))] as const
      }),
    )
    const genesis = toHex(genesisHash(spec))
    const expectedValue = toHex(new MemoryRead(spec).get(key)!)
    const metadata = readFixtureText('runtimes', 'node-template-metadata.hex').trim().toLowerCase().slice(2)
    for (const [addr, r] of results) {
      assert.equal(r.error, undefined, `${addr}: ${r.error}`)
      assert.deepEqual(r.initialized.finalized, [genesis], addr)
      assert.equal(r.initialized.runtime.spec.specName, 'node-template', addr)
      assert.equal(r.storage.event, 'operationStorageItems', addr)
      assert.equal(r.storage.items[0].value, expectedValue, `${addr}: System.Account(Alice) from our read proof`)
      assert.equal(r.call.event, 'operationCallDone', addr)
      assert.ok(r.call.output.endsWith(metadata), `${addr}: Metadata_metadata through our call proof`)
      assert.equal(r.health.peers, 1, addr)
    }
  } finally {
    await host.stop()
  }
})

/** Reads genesis storage directly (the expected value, independent of the proofs served). */
class MemoryRead {
  private readonly map: Map<string, Uint8Array>
  constructor(spec: ReturnType<typeof parseChainSpec>) {
    if (spec.genesis.kind !== 'raw') throw new Error('raw genesis needed')
    this.map = new Map(spec.genesis.top.map(([k, v]) => [toHex(k), v]))
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(toHex(key))
  }
}
