// The light client's runtime calls over call proofs run in a worker thread with a time limit on Node.js
// (`nodeCallRunner`, what `start()` and `sublight light` use): on the recorded Westend call proof for
// `TaggedTransactionQueue_validate_transaction` (real runtime, real proof, real transaction) the worker gives
// the bytes the runtime gives in this thread; a proof lacking a node is a MissingStorageError (ask another
// peer), not a failure; a call past the limit is stopped (ExecutorError 'Timeout') while this thread's
// timers keep running.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { blake2_256 } from '../../src/crypto/index.ts'
import { DEFAULT_HEAP_PAGES, ExecutorError, MissingStorageError, ProofStorage, Runtime } from '../../src/executor/index.ts'
import { decodeHeader, headerHash } from '../../src/header/index.ts'
import { TX_SOURCE_EXTERNAL, validateTransactionArgs } from '../../src/transactions/index.ts'
import { decodeProof } from '../../src/trie/index.ts'
import { nodeCallRunner } from '../../src/platform/node-call-runner.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

function recorded() {
  const tx = JSON.parse(readFixtureText('transactions', 'validate-from-proof.json'))
  const header = decodeHeader(fromHex(tx.blockHeader))
  const nodes = decodeProof(fromHex(tx.callProof))
  const args = validateTransactionArgs(TX_SOURCE_EXTERNAL, fromHex(tx.transactionBytes), headerHash(header))
  return { code: fromHex(tx.runtimeCode) as Uint8Array, header, nodes, args, method: 'TaggedTransactionQueue_validate_transaction' }
}

test('a call over a real Westend call proof in the worker: the same output as in this thread; a missing node asks another peer', { ...needsFixtures, timeout: 120_000 }, async () => {
  const { code, header, nodes, args, method } = recorded()
  const here = Runtime.load(code).call(method, args, { storage: new ProofStorage(header.stateRoot, nodes), heapPages: DEFAULT_HEAP_PAGES }).output
  const runner = nodeCallRunner()
  try {
    runner.prepare(code)
    const there = await runner.call({ code, method, args, stateRoot: header.stateRoot, nodes, heapPages: DEFAULT_HEAP_PAGES })
    assert.equal(toHex(there), toHex(here))
    assert.equal(there[0], 0, 'the recorded transaction is valid')
    // without every other node below the root, the call reads a key the proof cannot answer
    const root = nodes.findIndex((n) => toHex(blake2_256(n)) === toHex(header.stateRoot))
    const trimmed = nodes.filter((_, i) => i === root || i % 2 === 0)
    await assert.rejects(runner.call({ code, method, args, stateRoot: header.stateRoot, nodes: trimmed, heapPages: DEFAULT_HEAP_PAGES }), (e) => e instanceof MissingStorageError)
  } finally {
    await runner.close()
  }
})

test('a call past the time limit is stopped with ExecutorError Timeout; the event loop keeps running meanwhile', { ...needsFixtures, timeout: 60_000 }, async () => {
  const { code, header, nodes, args, method } = recorded()
  const runner = nodeCallRunner(5)
  let ticks = 0
  const timer = setInterval(() => void ticks++, 1)
  try {
    // the worker first compiles the runtime (far longer than 5 ms): the limit stops it
    await assert.rejects(runner.call({ code, method, args, stateRoot: header.stateRoot, nodes, heapPages: DEFAULT_HEAP_PAGES }), (e) => e instanceof ExecutorError && e.code === 'Timeout')
    assert.ok(ticks > 0, 'timers ran while the call was running')
  } finally {
    clearInterval(timer)
    await runner.close()
  }
})
