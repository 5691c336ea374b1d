// Time to report a reorg, sublight's light client vs smoldot, side by side: a 4-validator local network
// (node-template), both clients following through node 0 alone; a 2 + 2 partition timed by Aura's turns
// makes node 0's side lose (`Testnet.splitAfterBob`); from the moment the partition heals, how long until
// each client's chainHead_v1 follow moves its best block off the losing block. Medians over ROUNDS
// partitions (default 3) on the same network.
import { readFileSync } from 'node:fs'
import { start } from '../src/index.ts'
import { Testnet, followWithSmoldot } from '../test/support/testnet.ts'
import { addChainWith } from '../test/support/light-client.ts'
import { waitFor } from '../test/support/wait.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const row = (name: string, value: string) => console.log(name.padEnd(72), value)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const net = await Testnet.start(4)
for (const i of [1, 2, 3]) await net.allowOnly(i, [0, 1, 2, 3])
const client = start({ maxLogLevel: 1 })
const smoldot = followWithSmoldot(net.specPath, net.nodes[0].addr)
const ours: any[] = []
try {
  const chain = await addChainWith(client, readFileSync(net.specPath, 'utf8'), [net.nodes[0].addr])
  chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chainHead_v1_follow', params: [false] }))
  void (async () => {
    for await (const text of chain.jsonRpcResponses) {
      const m = JSON.parse(text)
      if (m.method === 'chainHead_v1_followEvent') ours.push({ ...m.params.result, at: Date.now() })
    }
  })()
  await waitFor(() => ours.some((e) => e.event === 'finalized') && smoldot.events.some((e) => e.event === 'finalized'), 120_000, 'both clients following')
  const times: Record<'sublight' | 'smoldot', number[]> = { sublight: [], smoldot: [] }
  for (let round = 0; round < ROUNDS; round++) {
    const { loser } = await net.splitAfterBob()
    const healedAt = Date.now()
    await net.healSplit()
    for (const [name, evs] of [['sublight', ours], ['smoldot', smoldot.events]] as const) {
      const moved = () => {
        const i = evs.findIndex((e) => e.event === 'newBlock' && e.blockHash === loser.hash)
        return i >= 0 ? evs.slice(i).find((e) => e.event === 'bestBlockChanged' && e.bestBlockHash !== loser.hash) : undefined
      }
      await waitFor(() => moved() !== undefined, 60_000, `${name} moving off ${loser.hash}`)
      times[name].push(moved().at - healedAt)
    }
    console.log(`round ${round + 1}: sublight ${times.sublight.at(-1)} ms, smoldot ${times.smoldot.at(-1)} ms`)
    // let finality settle before the next partition
    await waitFor(async () => (await net.finalized(0)).number > loser.number + 1, 60_000, 'finality after the heal')
  }
  const [o, t] = [median(times.sublight), median(times.smoldot)]
  row(`reorg reported after a partition heals (4 validators), median of ${ROUNDS}: sublight | smoldot`, `${o} | ${t} ms | ratio ${(o / t).toFixed(2)}`)
} finally {
  smoldot.stop()
  client.terminate()
  await net.stop()
}
process.exit(0)
