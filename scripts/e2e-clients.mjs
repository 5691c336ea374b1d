// End-to-end check with client software we did not write, against `sublight dev` (not in `npm test`:
// it installs the clients from the npm registry on first use and takes minutes). Runs:
//  - api-sidecar 18: `/node/network`, `/node/version`, `/blocks/head`, Alice's `/accounts/{id}/balance-info`
//  - Chopsticks 1.5: forks our devnet, builds a block on the fork (dev_newBlock), reads it back
// Usage: node scripts/e2e-clients.mjs [path/to/node-template.json]   (default: ../shared/fixtures/chain-specs/node-template.json)
// Prints one line per check and exits 1 if any failed.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'

const spec = process.argv[2] ?? new URL('../../shared/fixtures/chain-specs/node-template.json', import.meta.url).pathname
const bin = new URL('../bin/sublight.js', import.meta.url).pathname
const children = []
let failures = 0
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures++
}
function run(cmd, args, env = {}) {
  const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const io = { out: '' }
  p.stdout.on('data', (d) => (io.out += d))
  p.stderr.on('data', (d) => (io.out += d))
  children.push(p)
  return io
}
async function until(cond, ms, what) {
  for (let t = 0; t < ms; t += 250) {
    if (await cond()) return
    await sleep(250)
  }
  throw new Error(`timed out: ${what}`)
}
function wsCall(url, method, params = []) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })))
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString())
      if (m.id === 1) {
        ws.close()
        m.error ? reject(new Error(m.error.message)) : resolve(m.result)
      }
    })
    ws.on('error', reject)
  })
}

try {
  const dev = run(process.execPath, [bin, 'dev', '--chain', spec, '--alice', '--bob', '--rpc-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'])
  await until(() => /rpc on ws:\/\/127\.0\.0\.1:(\d+)/.test(dev.out), 30_000, 'sublight dev')
  const port = /rpc on ws:\/\/127\.0\.0\.1:(\d+)/.exec(dev.out)[1]
  const endpoint = `ws://127.0.0.1:${port}`
  await until(() => /finalized #[1-9]/.test(dev.out), 60_000, 'a finalized block')

  // api-sidecar
  const sidecarPort = 18080
  const sidecar = run('npx', ['--yes', '@substrate/api-sidecar@18.0.0'], { SAS_SUBSTRATE_URL: endpoint, SAS_EXPRESS_PORT: String(sidecarPort), SAS_EXPRESS_BIND_HOST: '127.0.0.1' })
  const get = async (path) => {
    const r = await fetch(`http://127.0.0.1:${sidecarPort}${path}`)
    return { status: r.status, body: await r.json().catch(() => undefined) }
  }
  await until(async () => (await get('/node/version').catch(() => ({ status: 0 }))).status === 200, 300_000, `api-sidecar (${sidecar.out.slice(-400)})`)
  const network = await get('/node/network')
  check(network.status === 200 && typeof network.body?.numPeers === 'string', `api-sidecar /node/network: ${JSON.stringify(network.body)?.slice(0, 160)}`)
  const version = await get('/node/version')
  check(version.status === 200 && version.body?.chain === 'Local Testnet', `api-sidecar /node/version: ${JSON.stringify(version.body)}`)
  const head = await get('/blocks/head')
  check(head.status === 200 && Number(head.body?.number) >= 1, `api-sidecar /blocks/head: #${head.body?.number}`)
  const balance = await get('/accounts/5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY/balance-info')
  check(balance.status === 200 && BigInt(balance.body?.free ?? 0) > 0n, `api-sidecar Alice balance-info: free ${balance.body?.free}`)

  // Chopsticks forking our devnet
  const chopsticksPort = 18000
  const chop = run('npx', ['--yes', '@acala-network/chopsticks@1.5.1', '--endpoint', endpoint, '--port', String(chopsticksPort)])
  const chopUrl = `ws://127.0.0.1:${chopsticksPort}`
  await until(async () => (await wsCall(chopUrl, 'chain_getHeader').then(() => true, () => false)), 300_000, `chopsticks (${chop.out.slice(-400)})`)
  const forkHead = await wsCall(chopUrl, 'chain_getHeader')
  check(Number(forkHead.number) >= 1, `chopsticks forked at #${Number(forkHead.number)}`)
  await wsCall(chopUrl, 'dev_newBlock', [{ count: 1 }])
  const after = await wsCall(chopUrl, 'chain_getHeader')
  check(Number(after.number) === Number(forkHead.number) + 1, `chopsticks built #${Number(after.number)} on the fork`)
  const metadata = await wsCall(chopUrl, 'state_getMetadata')
  check(typeof metadata === 'string' && metadata.startsWith('0x6d657461'), 'chopsticks reads metadata through our node')
} catch (e) {
  check(false, e.message)
} finally {
  for (const c of children) c.kill('SIGINT')
}
process.exit(failures ? 1 : 0)
