// Acceptance, judged by @polkadot/api (a client library we did not write): against `sublight dev`'s
// JSON-RPC it reads the head, metadata and balances, builds and signs a balance transfer Alice → Bob,
// submits it with author_submitAndWatchExtrinsic and sees it ready, in a block and finalized; Bob's free
// balance grows by exactly the amount. Bad transactions get Substrate's JSON-RPC errors with the
// runtime's validity error. Then a transfer broadcast by smoldot (transaction_v1_broadcast) reaches our
// pool over the network and is included.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'
import { transferToFinality } from '../support/polkadot-js.ts'
import { waitFor } from '../support/wait.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const broadcast = new URL('../support/smoldot-broadcast.mjs', import.meta.url).pathname

async function rpc(port: number, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const r = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await r.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } }
}

test('@polkadot/api: balance transfer Alice → Bob through author_submitAndWatchExtrinsic is included and finalized', { ...needsFixtures, timeout: 120_000 }, async () => {
  const dev = spawn(process.execPath, [bin, 'dev', '--chain', fixturePath('chain-specs', 'node-template.json'), '--tmp', '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'])
  let out = ''
  let errOut = ''
  dev.stdout.on('data', (d) => (out += d))
  dev.stderr.on('data', (d) => (errOut += d))
  let api: ApiPromise | undefined
  try {
    await waitFor(() => /rpc on ws:\/\/127\.0\.0\.1:(\d+)/.test(out), 30_000, () => `the rpc line (${errOut})`)
    const port = Number(/rpc on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1])
    const provider = new WsProvider(`ws://127.0.0.1:${port}`)
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true })
    assert.equal(api.runtimeVersion.specName.toString(), 'node-template')
    assert.ok(api.tx.balances?.transferKeepAlive, 'metadata decoded: Balances.transfer_keep_alive is known')
    // what @polkadot/api's users call first (#16): peers, an unknown block, finalized number at once, health
    assert.ok(Array.isArray((await api.rpc.system.peers()).toJSON()))
    assert.equal(await provider.send('chain_getHeader', ['0x' + '09'.repeat(32)]), null)
    const t0 = performance.now()
    const finalizedNumber = await api.derive.chain.bestNumberFinalized()
    assert.ok(performance.now() - t0 < 3000, `bestNumberFinalized answered in ${Math.round(performance.now() - t0)} ms`)
    assert.ok(finalizedNumber.toNumber() >= 0)
    const health = (await api.rpc.system.health()).toJSON() as { shouldHavePeers: boolean }
    assert.equal(health.shouldHavePeers, true, 'node-template is a Local chain: it expects peers (smoldot\'s and Substrate\'s rule)')

    const keyring = new Keyring({ type: 'sr25519' })
    const alice = keyring.addFromUri('//Alice')
    const bob = keyring.addFromUri('//Bob')
    const bobBefore = ((await api.query.system.account(bob.address)) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt()
    assert.ok(bobBefore > 0n, 'Bob is endowed at genesis')

    // bad input first: a transfer with a corrupted signature, and bytes that are no extrinsic at all
    const amount = 1_234_567_890_000n
    const signed = await api.tx.balances.transferKeepAlive(bob.address, amount).signAsync(alice, { nonce: 0 })
    const good = signed.toU8a()
    const bad = good.slice()
    // layout: compact length, version 0x84, signer MultiAddress::Id (0x00 ++ 32 bytes), MultiSignature::Sr25519 (0x01 ++ 64 bytes), ...
    const lengthBytes = [1, 2, 4][good[0] & 3]
    assert.equal(good[lengthBytes], 0x84)
    bad[lengthBytes + 1 + 33 + 1 + 10] ^= 0xff
    const badRes = await rpc(port, 'author_submitExtrinsic', ['0x' + Buffer.from(bad).toString('hex')])
    assert.equal(badRes.error?.code, 1010, JSON.stringify(badRes))
    assert.equal(badRes.error?.message, 'Invalid Transaction')
    assert.equal(badRes.error?.data, 'Transaction has a bad signature')
    const junk = await rpc(port, 'author_submitExtrinsic', ['0x0c010203'])
    assert.ok(junk.error && [1002, 1010, 1011].includes(junk.error.code), JSON.stringify(junk))
    const notHex = await rpc(port, 'author_submitExtrinsic', ['hello'])
    assert.equal(notHex.error?.code, -32602)

    // the real transfer, watched to finality
    const { statuses, finalizedIn } = await transferToFinality(api, alice, bob.address, amount, 60_000)
    // @polkadot/api switches to the newest status while it fetches a block's events, so with finality in
    // the same slot as inclusion it may never surface InBlock; the node's own sequence is checked below
    assert.equal(statuses[0], 'Ready')
    assert.equal(statuses.at(-1), 'Finalized')
    const block = await api.rpc.chain.getBlock(finalizedIn)
    assert.ok(block.block.extrinsics.some((x) => x.method.section === 'balances' && x.signer.toString() === alice.address), 'the transfer is in the block it reported')
    const atBlock = await api.at(finalizedIn!)
    const bobAfter = ((await atBlock.query.system.account(bob.address)) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt()
    assert.equal(bobAfter - bobBefore, amount)
    // the status line counts the pool; after finality it is empty again
    assert.deepEqual((await rpc(port, 'author_pendingExtrinsics', [])).result, [])
    // the same transaction again: its nonce is used now (stale)
    const again = await rpc(port, 'author_submitExtrinsic', ['0x' + Buffer.from(good).toString('hex')])
    assert.equal(again.error?.code, 1010)
    assert.equal(again.error?.data, 'Transaction is outdated')

    // the same kind of transfer, broadcast by smoldot (transaction_v1_broadcast): it reaches our pool
    // over /transactions/1 and is included
    const addr = out.split('\n').find((l) => l.startsWith('listening on '))!.slice('listening on '.length)
    const viaSmoldot = await api.tx.balances.transferKeepAlive(bob.address, 777_000_000n).signAsync(alice)
    const txHash = viaSmoldot.hash.toHex()
    const bc = spawn(process.execPath, [broadcast, fixturePath('chain-specs', 'node-template.json'), addr, viaSmoldot.toHex()])
    let bcOut = ''
    bc.stdout.on('data', (d) => (bcOut += d))
    let bcErr = ''
    bc.stderr.on('data', (d) => (bcErr += d))
    try {
      let includedIn: string | undefined
      const unsubHeads = await api.rpc.chain.subscribeNewHeads(async (h: { hash: { toHex(): string } }) => {
        const b = await api!.rpc.chain.getBlock(h.hash.toHex())
        if (b.block.extrinsics.some((x) => x.hash.toHex() === txHash)) includedIn = h.hash.toHex()
      })
      await waitFor(() => includedIn !== undefined, 60_000, () => `inclusion of the smoldot-broadcast transfer (smoldot: ${bcOut.trim()} ${bcErr.slice(-1000)}) (node: ${errOut.slice(-1000)})`)
      unsubHeads()
      const r = JSON.parse(bcOut.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
      assert.equal(r.error, undefined)
      assert.equal(typeof r.broadcast.result, 'string', 'transaction_v1_broadcast returned an operation id')
    } finally {
      bc.kill('SIGKILL')
    }
  } finally {
    await api?.disconnect()
    dev.kill('SIGTERM')
  }
})
