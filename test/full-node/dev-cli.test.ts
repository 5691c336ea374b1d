// `sublight dev` authoring on node-template (one node holding both Aura keys), judged by another node:
// it downloads the blocks over sync/2, verifies each Aura seal against the runtime's authorities, and
// imports them by execution from genesis to the same block hashes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { multiaddr } from '@multiformats/multiaddr'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { decodeHeader, headerHash } from '../../src/header/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, FrameDecoder, GenesisChainServer, NetworkHost, decodeBlockResponse, encodeBlockRequest, frame } from '../../src/network/index.ts'
import { verifyAuraHeader, auraSlot } from '../../src/verify/index.ts'
import { executeBlock } from '../../src/full-node/index.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('dev: authors a block per slot; a peer syncs the blocks over sync/2 and imports them by execution', { ...needsFixtures, timeout: 90_000 }, async () => {
  const p = spawn(process.execPath, [bin, 'dev', '--chain', fixturePath('chain-specs', 'node-template.json'), '--tmp', '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'])
  let out = ''
  let errOut = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (errOut += d))
  const exited = new Promise<never>((_, reject) => p.once('exit', (code, signal) => reject(new Error(`sublight dev exited (${code ?? signal}): ${errOut.slice(-2000)}`))))
  exited.catch(() => {})
  let client: NetworkHost | undefined
  try {
    for (let i = 0; i < 300 && out.split('\n').filter((l) => l.startsWith('#')).length < 2; i++) await new Promise((r) => setTimeout(r, 100))
    const status = out.split('\n').filter((l) => l.startsWith('#'))
    assert.ok(status.length >= 2, out)
    for (const [i, l] of status.entries()) assert.match(l, new RegExp(`^#${i + 1} 0x[0-9a-f]{64} finalized #${i} peers \\d+ txs 0$`))
    const addr = out.split('\n').find((l) => l.startsWith('listening on '))!.slice('listening on '.length)

    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
    const srv = new GenesisChainServer(spec)
    client = await NetworkHost.start({ transports: nodeTransports(), server: srv, listen: [] })
    const g = toHex(srv.genesisHash).slice(2)
    const s = await client.libp2p.dialProtocol(multiaddr(addr), `/${g}/sync/2`)
    // listen before sending: under load the answer can arrive while close() is still pending
    const dec = new FrameDecoder(16 << 20)
    const response = new Promise<Uint8Array>((resolve) =>
      s.addEventListener('message', (e) => {
        const d = (e as Event & { data: Uint8Array | { subarray(): Uint8Array } }).data
        const f = dec.push(d instanceof Uint8Array ? d : d.subarray())
        if (f.length) resolve(f[0])
      }),
    )
    s.send(frame(encodeBlockRequest({ fields: BLOCK_HEADER | BLOCK_BODY, from: { number: 1 }, direction: 'ascending', maxBlocks: 16 })))
    // a node that dies meanwhile fails the test with its stderr (close() would wait on a dead socket forever)
    await Promise.race([s.close(), exited])
    const resp = await Promise.race([response, exited])
    const blocks = decodeBlockResponse(resp)
    assert.ok(blocks.length >= 2)
    let state = new MemoryStorage(spec.genesis.top)
    const authorities = new Reader(Runtime.load(state.get(new TextEncoder().encode(':code'))!).call('AuraApi_authorities', new Uint8Array(), { storage: state }).output).vec((r) => r.bytes_(32))
    let parentHash = srv.genesisHash
    let parentSlot = 0n
    for (const [i, b] of blocks.entries()) {
      const header = decodeHeader(b.header!)
      assert.equal(toHex(headerHash(header)), toHex(b.hash))
      assert.equal(toHex(header.parentHash), toHex(parentHash))
      assert.equal(toHex(b.hash), status[i]?.split(' ')[1] ?? toHex(b.hash))
      verifyAuraHeader(header, { authorities, scheme: 'sr25519', parentSlot })
      state = executeBlock(state, { header, body: b.body ?? [] })
      parentHash = b.hash
      parentSlot = auraSlot(header)
    }
  } finally {
    p.kill('SIGINT')
    await client?.stop()
  }
})
