// A local network of 4 validators (`sublight testnet`'s setup: node-template rewritten for Alice, Bob,
// Charlie and Dave, one `sublight dev` process each, GRANDPA by votes): finality lag sampled every second
// on node 0 for DURATION seconds (default 120) — in blocks (best − finalized) and in Aura slots (the
// current slot − the finalized block's slot) — and each node's RSS at the end. Substrate's own nodes
// finalize 1–2 blocks behind with a 6 s slot on such a network.
import { readFileSync } from 'node:fs'
import { Testnet, auraSlotOf, rpc } from '../test/support/testnet.ts'

const DURATION_S = Number(process.env.DURATION ?? 120)
const SLOT_MS = 6000
const row = (name: string, value: string) => console.log(name.padEnd(72), value)
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

const net = await Testnet.start(4)
try {
  // wait for the first finality, then sample
  for (let i = 0; i < 120 && (await net.finalized(0)).number < 1; i++) await new Promise((r) => setTimeout(r, 1000))
  const blocks: number[] = []
  const slots: number[] = []
  for (let t = 0; t < DURATION_S; t++) {
    await new Promise((r) => setTimeout(r, 1000))
    const [best, fin] = [await net.best(0), await net.finalized(0)]
    blocks.push(best.number - fin.number)
    const header = await rpc(net.nodes[0].rpcUrl, 'chain_getHeader', [fin.hash])
    slots.push(Math.floor(Date.now() / SLOT_MS) - auraSlotOf(header))
  }
  row(`testnet (4 validators, node-template): finality lag in blocks, median | max over ${DURATION_S} s`, `${pct(blocks, 50)} | ${Math.max(...blocks)}`)
  row('  finality lag in slots (6 s), median | max', `${pct(slots, 50)} | ${Math.max(...slots)}`)
  const rss = net.nodes.map((n) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${n.proc.pid}/status`, 'utf8'))![1]) / 1024)
  row('  RSS of each node at the end', rss.map((r) => `${r.toFixed(0)} MiB`).join(' | '))
} finally {
  await net.stop()
}
process.exit(0)
