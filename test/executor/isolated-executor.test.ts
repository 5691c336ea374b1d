// A node's call proofs for peers run in one long-lived worker with a wall-clock limit: an endless call
// is stopped while the node's event loop keeps turning, and the next call (on a fresh worker) works.
// Call proofs built this way verify: executing the same call on the proof alone gives the same output.
import { test } from 'node:test'
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
