// Acceptance (#25, item 5): blocks older than the light client's starting point. `sublight light` warps
// past them, so it never verified their headers; given such a block's hash, chain_getHeader,
// chain_getBlock, state_getStorage and state_getRuntimeVersion answer like the node (the header fetched
// from a peer and checked against the hash, the rest proven against it), and @polkadot/api's
// `api.at(thatHash)` reads Alice's balance there. The node's own answers are the reference.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { DevProcess, freePort } from '../support/dev-process.ts'
import { waitFor } from '../support/wait.ts'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const SPEC = fixturePath('chain-specs', 'polkadot-dev.json')
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'
/** System.Account(Alice): twox128("System") ++ twox128("Account") ++ blake2_128concat(Alice). */
const ALICE_ACCOUNT = '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d'

test('sublight light answers for blocks older than its starting point like the node; @polkadot/api reads a balance there', { ...needsFixtures, timeout: 240_000 }, async () => {
  const [devP2p, devRpc, lightRpc] = [await freePort(), await freePort(), await freePort()]
  const dev = new DevProcess(['--chain', SPEC, '--alice', '--tmp', '--history', '5', '--history-block-time', '0', '--rpc-port', String(devRpc), '--listen', `/ip4/127.0.0.1/tcp/${devP2p}/ws`])
  const devAddr = await dev.start()
  const light = spawn(process.execPath, [bin, 'light', '--chain', SPEC, '--bootnodes', devAddr, '--rpc-port', String(lightRpc)])
  const io = { out: '', err: '' }
  light.stdout.on('data', (d) => (io.out += d))
  light.stderr.on('data', (d) => (io.err += d))
  let api: ApiPromise | undefined
  let provider: WsProvider | undefined
  try {
    let id = 0
    const rpc = async (port: number, method: string, params: unknown[] = []) => {
      const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) })
      return (await res.json()) as { result?: any; error?: { code: number; message: string } }
    }
    const finalizedOf = async (port: number) => Number((await rpc(port, 'chain_getHeader', [(await rpc(port, 'chain_getFinalizedHead')).result])).result?.number ?? -1)
    await waitFor(() => (dev.status?.finalized ?? 0) >= 10, 60_000, () => `the devnet past its history\n${dev.out.slice(-500)}`)
    // the spec's checkpoint (#13) is from another run of polkadot-dev: the client starts from genesis and warps
    const onNodeChain = async () => {
      const fin = (await rpc(lightRpc, 'chain_getFinalizedHead')).result as string
      const n = await finalizedOf(lightRpc)
      return n >= 10 && (await rpc(devRpc, 'chain_getBlockHash', [n])).result === fin
    }
    await waitFor(async () => /JSON-RPC on ws:/.test(io.out) && (await onNodeChain()), 120_000, () => `the light client warped\n${io.out}\n${io.err.slice(-1000)}`)
    const old = (await rpc(devRpc, 'chain_getBlockHash', [3])).result as string
    const oldAlso = (await rpc(devRpc, 'chain_getBlockHash', [2])).result as string
    // the light client never saw them: it warped past #3
    assert.ok(!io.out.includes(`#3 ${old.slice(0, 10)}`))
    for (const [method, params] of [
      ['chain_getHeader', [old]],
      ['chain_getBlock', [old]],
      ['state_getRuntimeVersion', [old]],
      ['state_getStorage', [ALICE_ACCOUNT, old]],
      ['state_getStorage', [ALICE_ACCOUNT, oldAlso]],
    ] as [string, unknown[]][]) {
      const [ours, node] = [await rpc(lightRpc, method, params), await rpc(devRpc, method, params)]
      assert.ok(node.result, `${method}: the node answers`)
      assert.deepEqual(ours.result, node.result, `${method} ${JSON.stringify(params)}`)
    }
    // a block whose justification the node keeps (a GRANDPA set change: every session in --history mode):
    // chain_getBlock passes the peer's on, in Substrate's JSON form, as the node reports it
    let withJustification: string | undefined
    for (let n = 1; n < 10 && !withJustification; n++) {
      const h = (await rpc(devRpc, 'chain_getBlockHash', [n])).result as string
      if ((await rpc(devRpc, 'chain_getBlock', [h])).result.justifications) withJustification = h
    }
    assert.ok(withJustification, 'a set change among the first blocks')
    const [ours, node] = [await rpc(lightRpc, 'chain_getBlock', [withJustification]), await rpc(devRpc, 'chain_getBlock', [withJustification])]
    assert.deepEqual(ours.result, node.result)
    assert.deepEqual(node.result.justifications[0][0], [...new TextEncoder().encode('FRNK')])
    // a hash no block has: null (chain_getHeader), an error for state reads — as the node
    const none = `0x${'ab'.repeat(32)}`
    assert.equal((await rpc(lightRpc, 'chain_getHeader', [none])).result, null)
    assert.ok((await rpc(lightRpc, 'state_getStorage', [ALICE_ACCOUNT, none])).error)

    provider = new WsProvider(`ws://127.0.0.1:${lightRpc}`)
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true })
    const then = await api.at(old)
    const free = ((await then.query.system.account(ALICE)) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt()
    const nodeRaw = (await rpc(devRpc, 'state_getStorage', [ALICE_ACCOUNT, old])).result as string
    // AccountInfo: nonce u32, consumers u32, providers u32, sufficients u32, then free u128 (little-endian)
    const bytes = Buffer.from(nodeRaw.slice(2), 'hex')
    const nodeFree = bytes.subarray(16, 32).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n)
    assert.ok(nodeFree > 0n)
    assert.equal(free, nodeFree)
  } finally {
    await api?.disconnect().catch(() => {})
    await provider?.disconnect().catch(() => {})
    light.kill('SIGINT')
    await dev.kill('SIGINT')
  }
})
