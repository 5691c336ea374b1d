// A node's call proofs for peers run in one long-lived worker with a wall-clock limit: an endless call
// is stopped while the node's event loop keeps turning, and the next call (on a fresh worker) works.
// Call proofs built this way verify: executing the same call on the proof alone gives the same output.
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import assert from 'node:assert/strict'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ExecutorError, HEAPPAGES_KEY, ProofStorage, Runtime, heapPagesOf } from '../../src/executor/index.ts'
import { IsolatedExecutor } from '../../src/executor/isolated.ts'
import { DevChain } from '../../src/full-node/index.ts'
import { decodeProof } from '../../src/trie/index.ts'
import { SPIN_WASM } from '../support/wasm-modules.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'


test('an endless call is stopped at its limit without stalling the event loop; the next call works', needsFixtures, async () => {
  const ex = new IsolatedExecutor(1_500)
  try {
    let ticks = 0
    const timer = setInterval(() => ticks++, 50)
    await assert.rejects(ex.recordReads({ code: SPIN_WASM, method: 'spin', args: new Uint8Array() }), (e: unknown) => e instanceof ExecutorError && e.code === 'Timeout')
    clearInterval(timer)
    assert.ok(ticks >= 10, `the event loop kept running (${ticks} ticks)`)
    // the same code again, on the fresh worker that replaced the stopped one: it is sent again (a worker
    // asked to run code it never got would fail with another error)
    await assert.rejects(ex.recordReads({ code: SPIN_WASM, method: 'spin', args: new Uint8Array() }, 4_000), (e: unknown) => e instanceof ExecutorError && e.code === 'Timeout')
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    if (spec.genesis.kind !== 'raw') return
    const log = await ex.recordReads({ code: spec.genesis.top.find(([k]) => toHex(k) === toHex(utf8(':code')))![1], method: 'Core_version', args: new Uint8Array(), top: spec.genesis.top }, 60_000)
    assert.ok(Array.isArray(log.reads))
  } finally {
    await ex.close()
  }
})

test('call proofs made off-thread verify: the call re-executed on the proof alone gives the same output', { ...needsFixtures, timeout: 60_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  try {
    const g = chain.blockAt(0)!
    for (const method of ['Metadata_metadata', 'AuraApi_authorities', 'GrandpaApi_grandpa_authorities']) {
      const proof = await chain.callProof(g.hash, method, new Uint8Array())
      assert.ok(proof, method)
      const onProof = Runtime.load(g.state!.get(utf8(':code'))!).call(method, new Uint8Array(), { storage: new ProofStorage(g.header.stateRoot, decodeProof(proof)), heapPages: heapPagesOf(g.state!.get(HEAPPAGES_KEY)) }).output
      const direct = Runtime.load(g.state!.get(utf8(':code'))!).call(method, new Uint8Array(), { storage: g.state! }).output
      assert.equal(toHex(onProof), toHex(direct), method)
    }
  } finally {
    chain.close()
  }
})

test('the worker keeps recent states: calls at a chain of states (sent whole, then as changes, then by id) answer as in-thread calls', { ...needsFixtures, timeout: 120_000 }, async () => {
  const { Writer } = await import('../../src/codec/index.ts')
  const { sr25519FromSuri } = await import('../../src/crypto/index.ts')
  const { callIndex } = await import('../../src/metadata/index.ts')
  const { authorAuraBlock } = await import('../../src/full-node/index.ts')
  const { signedExtrinsic, signingContext } = await import('../../src/full-node/dev-extrinsics.ts')
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const chain = new DevChain(spec)
  const ex = new IsolatedExecutor(30_000)
  try {
    // 12 blocks, a transfer from Alice in each: her nonce is the block number in each block's state
    const alice = sr25519FromSuri('//Alice')
    const g = chain.bestBlock
    const signing = signingContext(g.state, chain.genesisHash)
    const transfer = new Writer().bytes(new Uint8Array(callIndex(signing.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(sr25519FromSuri('//Bob').publicKey).compact(10n ** 12n).finish()
    const states = [g.state]
    for (let i = 1; i <= 12; i++) {
      const best = chain.bestBlock
      const slot = 5_000_000n + BigInt(i)
      const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice, extrinsics: [signedExtrinsic(signing, alice, i - 1, transfer)] })
      chain.add(block, state)
      states.push(state)
    }
    // count the messages that carry code to the worker: one block's code is copied over once
    let codeSent = 0
    const post = Worker.prototype.postMessage
    Worker.prototype.postMessage = function (this: Worker, m: unknown, ...rest: []) {
      if ((m as { code?: Uint8Array }).code) codeSent++
      return post.call(this, m, ...rest)
    }
    let code = g.state.get(utf8(':code'))!
    const nonceAt = async (i: number) => toHex((await ex.call({ code, method: 'AccountNonceApi_account_nonce', args: alice.publicKey, storage: states[i] })).output)
    const inThread = (i: number) => toHex(Runtime.load(code).call('AccountNonceApi_account_nonce', alice.publicKey, { storage: states[i] }).output)
    // in order (each the next block's changes), back to held ones, then far back (evicted: whole again)
    try {
      for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 11, 5, 0, 12]) assert.equal(await nonceAt(i), inThread(i), `state #${i}`)
      assert.equal(await nonceAt(12), '0x0c000000', 'twelve transfers from Alice by #12')
      assert.equal(codeSent, 1, 'the code went to the worker with the first call only')
      // other code (here: the same bytes in another array) is sent, and runs
      code = code.slice()
      assert.equal(await nonceAt(3), inThread(3))
      assert.equal(codeSent, 2)
    } finally {
      Worker.prototype.postMessage = post
    }
  } finally {
    await ex.close()
    chain.close()
  }
})

test('a process started as `node --max-old-space-size=512 --optimize-for-size --input-type=module -e …` runs calls off-thread too (its workers get neither V8 options nor --input-type)', needsFixtures, async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const isolated = new URL('../../src/executor/isolated.ts', import.meta.url).href
  const fixtures = new URL('../support/fixtures.ts', import.meta.url).href
  const script = `
    const { callIsolated } = await import(${JSON.stringify(isolated)})
    const { readFixtureText } = await import(${JSON.stringify(fixtures)})
    const spec = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
    const hex = (h) => Uint8Array.from(h.slice(2).match(/../g), (x) => parseInt(x, 16))
    const top = Object.entries(spec.genesis.raw.top).map(([k, v]) => [hex(k), hex(v)])
    const code = hex(spec.genesis.raw.top['0x3a636f6465'])
    const r = await callIsolated({ code, method: 'Core_version', args: new Uint8Array(), top })
    console.log('OUTPUT', r.output.length)`
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=512', '--optimize-for-size', '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 })
  assert.match(stdout, /OUTPUT \d{2,}/, 'Core_version answered from a worker')
})

test('worker options: module loaders and experimental flags kept, V8 and process options (and their values) left out', async () => {
  const { workerExecArgv } = await import('../../src/executor/isolated.ts')
  assert.deepEqual(
    workerExecArgv(['--max-old-space-size=8192', '--import', 'tsx', '--title', 'node-a', '--require=./probe.cjs', '--input-type', 'module', '--experimental-vm-modules', '-C', 'custom', '--stack-size=2000', '--enable-source-maps']),
    ['--import', 'tsx', '--require=./probe.cjs', '--experimental-vm-modules', '-C', 'custom', '--enable-source-maps'],
  )
})
