// #14: through a local light-client endpoint, @polkadot/api's `ApiPromise.create` plus the first balance
// query, and (#29) the first answer to a raw `chain_getFinalizedHead` (asked as soon as the endpoint says
// where it listens), in ms from the endpoint's process start: `sublight light` vs smoldot 3.4.1 behind a small
// WebSocket wrapper (bench/smoldot-endpoint.mjs), both with a `sublight dev` node (node-template) as their
// only peer; sublight runs its compiled CLI (as installed), built first into scratch/. Ratio = sublight / smoldot (lower is better). Each runs RUNS times (default 3), median kept.
import { readFileSync } from 'node:fs'
import { execFileSync, spawn } from 'node:child_process'
import { ApiPromise, WsProvider } from '@polkadot/api'
import WebSocket from 'ws'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { DevNode } from '../src/full-node/index.ts'
import { row } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const RUNS = Number(process.env.RUNS ?? 3)
const specPath = `${FX}/chain-specs/node-template.json`
const dev = await DevNode.start({ spec: parseChainSpec(readFileSync(specPath, 'utf8')), keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
while (dev.chain.finalized().number < 1) await new Promise((r) => setTimeout(r, 100))
const bootNode = dev.host.addresses()[0]
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'

/** Starts an endpoint process, waits for its `JSON-RPC on ws://…` line; `use` gets the URL; ms from the spawn to `use`'s end. */
async function timed(cmd: string[], use: (url: string) => Promise<void>): Promise<number> {
  const t0 = performance.now()
  const p = spawn(process.execPath, cmd, { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  try {
    while (!/JSON-RPC on (ws:\/\/[\d.]+:\d+)/.test(out)) await new Promise((r) => setTimeout(r, 5))
    await use(/JSON-RPC on (ws:\/\/[\d.]+:\d+)/.exec(out)![1])
    return performance.now() - t0
  } finally {
    p.kill('SIGKILL')
  }
}

/** The first answer (a hash) to `chain_getFinalizedHead`, asked again every 20 ms until one comes. */
async function finalizedHead(url: string): Promise<void> {
  const ws = new WebSocket(url)
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  try {
    await new Promise<void>((resolve, reject) => {
      let id = 0
      const ask = () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'chain_getFinalizedHead', params: [] }))
      const timer = setInterval(ask, 20)
      const giveUp = setTimeout(() => (clearInterval(timer), reject(new Error('no chain_getFinalizedHead answer in 60 s'))), 60_000)
      ws.on('message', (d) => {
        const m = JSON.parse(String(d))
        if (typeof m.result !== 'string' || !/^0x[0-9a-f]{64}$/.test(m.result)) return
        clearInterval(timer)
        clearTimeout(giveUp)
        resolve()
      })
      ask()
    })
  } finally {
    ws.terminate()
  }
}

/** Starts an endpoint process, connects @polkadot/api, reads Alice's balance: ms from the spawn. */
async function once(cmd: string[]): Promise<number> {
  return timed(cmd, async (url) => {
    const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true })
    const account = (await api.query.system.account(ALICE)) as unknown as { data: { free: { toBigInt(): bigint } } }
    if (account.data.free.toBigInt() <= 0n) throw new Error('no balance read')
    await api.disconnect()
  })
}
// sublight as users run it: the compiled CLI (built here into a scratch folder), not TypeScript through tsx
const built = new URL('../scratch/bench-dist/', import.meta.url).pathname
execFileSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', new URL('../tsconfig.build.json', import.meta.url).pathname, '--outDir', built])
const sublightCli = ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(built + 'cli/main.js')}); process.exitCode = await main(process.argv.slice(1))`]
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const oursCmd = [...sublightCli, 'light', '--chain', specPath, '--bootnodes', bootNode, '--rpc-port', '0']
const theirsCmd = [new URL('./smoldot-endpoint.mjs', import.meta.url).pathname, specPath, bootNode]
const ours: number[] = []
const theirs: number[] = []
const oursHead: number[] = []
const theirsHead: number[] = []
for (let i = 0; i < RUNS; i++) {
  ours.push(await once(oursCmd))
  theirs.push(await once(theirsCmd))
  oursHead.push(await timed(oursCmd, finalizedHead))
  theirsHead.push(await timed(theirsCmd, finalizedHead))
}
row('endpoint start → ApiPromise.create + balance', median(ours), median(theirs))
row('endpoint start → first chain_getFinalizedHead answer', median(oursHead), median(theirsHead))
await dev.stop()
process.exit(0)
