// Full node on node-template: (1) a `sublight node` process syncs a 1,000-block devnet chain (BLOCKS=10000
// for the long run; a balance transfer in every block) from a peer on loopback with full execution (seal,
// Core_execute_block, justifications): blocks per second, over each tenth of the chain, and the process's
// RSS after 1,000 blocks and at the end; (2) Core_execute_block per block, side by side with
// chopsticks-executor (smoldot's executor) on the same blocks and parent states; (3) state_getStorage
// latency percentiles with 100 concurrent WebSocket clients on loopback; (4) authoring speed.
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { WebSocket } from 'ws'
import { Reader, Writer, toHex } from '../src/codec/index.ts'
import { signedExtrinsic, signingContext } from '../src/full-node/dev-extrinsics.ts'
import { callIndex } from '../src/metadata/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, storagePrefix } from '../src/crypto/index.ts'
import { NetworkHost } from '../src/network/index.ts'
import { RpcServer } from '../src/json-rpc/server.ts'
import { DevChain, authorAuraBlock, localJustification, nodeRpc, runtimeAt } from '../src/full-node/index.ts'
import { executeSideBySide } from './util.ts'
import { nodeTransports } from '../src/platform/node.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const N = Number(process.env.BLOCKS ?? 1000)
const row = (name: string, value: string) => console.log(name.padEnd(72), value)
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

const specPath = `${FX}/chain-specs/node-template.json`
const spec = parseChainSpec(readFileSync(specPath, 'utf8'))
const chain = new DevChain(spec, undefined, N + 1) // keep every state: the execution comparison needs parents
const alice = sr25519FromSuri('//Alice')
const grandpaKeys = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
const g = chain.bestBlock
const set = { setId: 0n, authorities: new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }

// (4) authoring
let t = performance.now()
const signing = signingContext(g.state, chain.genesisHash)
const bob = sr25519FromSuri('//Bob')
const transfer = new Writer().bytes(new Uint8Array(callIndex(signing.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(bob.publicKey).compact(10n ** 12n).finish()
for (let i = 1; i <= N; i++) {
  const best = chain.bestBlock
  const slot = 6_000_000n + BigInt(2 * i)
  const extrinsics = [signedExtrinsic(signing, alice, i - 1, transfer)]
  const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice, extrinsics })
  chain.add(block, state)
  if (i > 1) chain.finalize(chain.blockAt(i - 1)!.hash, localJustification(chain.blockAt(i - 1)!.header, BigInt(i), set, grandpaKeys).encoded)
}
row(`author ${N} blocks with a transfer each (initialize, inherents, apply, finalize, seal, GRANDPA justification)`, `${((N * 1000) / (performance.now() - t)).toFixed(0).padStart(7)} blocks/s`)

// (2) execution per block, ours vs chopsticks-executor, on 20 blocks spread over the chain
const { ours, ref } = await executeSideBySide(chain, Array.from({ length: 20 }, (_, i) => 1 + Math.floor((i * (N - 1)) / 19)))
const mo = pct(ours.sort((a, b) => a - b), 50)
const mr = pct(ref.sort((a, b) => a - b), 50)
row('Core_execute_block, median of 20 blocks: sublight (+root) | chopsticks (to root check)', `${mo.toFixed(2)} ms | ${mr.toFixed(2)} ms | ratio ${(mo / mr).toFixed(3)}`)

// (1) a separate `sublight node` process syncs the chain over loopback
const host = await NetworkHost.start({ transports: nodeTransports(), server: chain, listen: ['/ip4/127.0.0.1/tcp/0'] })
const bin = new URL('../bin/sublight.js', import.meta.url).pathname
t = performance.now()
const node = spawn(process.execPath, [bin, 'node', '--chain', specPath, '--tmp', '--bootnodes', host.addresses()[0], '--listen', '/ip4/127.0.0.1/tcp/0'])
let out = ''
let firstAt = 0
// when each tenth of the chain arrived (does import slow down as the chain grows?), and RSS at #1,000
const segment = Math.max(1, Math.floor(N / 10))
const arrivals: number[] = []
let rssAt1000: number | undefined
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024
let scanned = 0
node.stdout.on('data', (d) => {
  out += d
  if (!firstAt && out.includes('\n#1 ')) firstAt = performance.now()
  for (const m of out.slice(scanned).matchAll(/^#(\d+) /gm)) {
    const n = Number(m[1])
    while (arrivals.length < Math.floor(n / segment)) arrivals.push(performance.now())
    if (n >= 1000 && rssAt1000 === undefined && N >= 1000) rssAt1000 = rssOf(node.pid!)
  }
  scanned = out.lastIndexOf('\n') + 1
})
const reached = () => out.includes(`\n#${N} ${toHex(chain.bestBlock.hash)}`)
for (let i = 0; i < 6000 && !reached(); i++) await new Promise((r) => setTimeout(r, 50))
if (!reached()) throw new Error(`sync did not reach #${N}:\n${out.slice(-500)}`)
const doneAt = performance.now()
const total = doneAt - t
const rss = rssOf(node.pid!)
node.kill('SIGTERM')
row(`sublight node: sync ${N} blocks with execution over loopback (from first block)`, `${(((N - 1) * 1000) / (doneAt - firstAt)).toFixed(0).padStart(7)} blocks/s`)
row(`sublight node: start to #${N}, including process start-up`, `${(total / 1000).toFixed(1).padStart(7)} s`)
if (rssAt1000 !== undefined && N > 1000) row('sublight node: RSS after 1000 blocks', `${rssAt1000.toFixed(0).padStart(7)} MiB`)
row(`sublight node: RSS after ${N} blocks`, `${rss.toFixed(0).padStart(7)} MiB`)
// blocks/s over each tenth of the chain: flat when import time does not grow with length
const rates = arrivals.slice(1).map((at, i) => (segment * 1000) / (at - arrivals[i]))
if (rates.length >= 2) row(`sublight node: blocks/s over each ${segment}-block tenth of the chain`, rates.map((r) => r.toFixed(0)).join(' '))
await host.stop()

// (3) state_getStorage under 100 concurrent WebSocket clients
const server = await RpcServer.start(nodeRpc(chain, { spec, peers: () => 0, localPeerId: () => 'bench' }), { port: 0 })
const key = toHex(storagePrefix('System', 'Number'))
const clients = await Promise.all(Array.from({ length: 100 }, () => new Promise<WebSocket>((res) => { const ws = new WebSocket(`ws://127.0.0.1:${server.port}`); ws.once('open', () => res(ws)) })))
const lat: number[] = []
t = performance.now()
await Promise.all(
  clients.map(async (ws, c) => {
    for (let i = 0; i < 50; i++) {
      const s = performance.now()
      await new Promise<void>((res) => {
        ws.once('message', () => res())
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: c * 1000 + i, method: 'state_getStorage', params: [key] }))
      })
      lat.push(performance.now() - s)
    }
  }),
)
const wall = performance.now() - t
lat.sort((a, b) => a - b)
row('state_getStorage, 100 WebSocket clients x 50 requests: p50 | p99 | max', `${pct(lat, 50).toFixed(2)} | ${pct(lat, 99).toFixed(2)} | ${lat.at(-1)!.toFixed(2)} ms`)
row('  throughput', `${((lat.length * 1000) / wall).toFixed(0).padStart(7)} requests/s`)
for (const ws of clients) ws.close()
await server.stop()
process.exit(0)
