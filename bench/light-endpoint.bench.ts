// #14: through a local light-client endpoint, @polkadot/api's `ApiPromise.create` plus the first balance
// query, in ms from the endpoint's process start: `sublight light` vs smoldot 3.4.1 behind a small
// WebSocket wrapper (bench/smoldot-endpoint.mjs), both with a `sublight dev` node (node-template) as their
// only peer; sublight runs its compiled CLI (as installed), built first into scratch/. Ratio = sublight / smoldot (lower is better). Each runs RUNS times (default 3), median kept.
import { readFileSync } from 'node:fs'
import { execFileSync, spawn } from 'node:child_process'
import { ApiPromise, WsProvider } from '@polkadot/api'
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

/** Starts an endpoint process, connects @polkadot/api, reads Alice's balance: ms from the spawn. */
async function once(cmd: string[]): Promise<number> {
  const t0 = performance.now()
  const p = spawn(process.execPath, cmd, { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  try {
    while (!/JSON-RPC on (ws:\/\/[\d.]+:\d+)/.test(out)) await new Promise((r) => setTimeout(r, 5))
    const url = /JSON-RPC on (ws:\/\/[\d.]+:\d+)/.exec(out)![1]
    const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true })
    const account = (await api.query.system.account(ALICE)) as unknown as { data: { free: { toBigInt(): bigint } } }
    if (account.data.free.toBigInt() <= 0n) throw new Error('no balance read')
    const ms = performance.now() - t0
    await api.disconnect()
    return ms
  } finally {
    p.kill('SIGKILL')
  }
}
// sublight as users run it: the compiled CLI (built here into a scratch folder), not TypeScript through tsx
const built = new URL('../scratch/bench-dist/', import.meta.url).pathname
execFileSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', new URL('../tsconfig.build.json', import.meta.url).pathname, '--outDir', built])
const sublightCli = ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(built + 'cli/main.js')}); process.exitCode = await main(process.argv.slice(1))`]
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ours: number[] = []
const theirs: number[] = []
for (let i = 0; i < RUNS; i++) {
  ours.push(await once([...sublightCli, 'light', '--chain', specPath, '--bootnodes', bootNode, '--rpc-port', '0']))
  theirs.push(await once([new URL('./smoldot-endpoint.mjs', import.meta.url).pathname, specPath, bootNode]))
}
row('endpoint start → ApiPromise.create + balance', median(ours), median(theirs))
await dev.stop()
process.exit(0)
