// The node's call proofs for peers (DevChain.callProof): the same call at the same block, asked by
// several light clients at once or one after another, is executed once and answered with the same
// bytes (calls with long arguments are not looked up). Executions are counted at StateProver, below the
// sharing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevChain } from '../../src/full-node/index.ts'
import { StateProver } from '../../src/network/chain-server.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('call proofs: one execution for the same call at the same block, asked at once or again', { ...needsFixtures, timeout: 60_000 }, async () => {
  const chain = new DevChain(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')))
  const original = StateProver.prototype.callProofIsolated
  let runs = 0
  const count = () => runs
  StateProver.prototype.callProofIsolated = function (...a: Parameters<typeof original>) {
    runs++
    return original.apply(this, a)
  }
  try {
    const g = chain.bestBlock.hash
    const none = new Uint8Array()
    const [a, b] = await Promise.all([chain.callProof(g, 'Core_version', none), chain.callProof(g, 'Core_version', none)])
    assert.ok(a && a.length > 0)
    assert.deepEqual(b, a)
    assert.equal(runs, 1, 'two peers asking at once: one execution')
    assert.deepEqual(await chain.callProof(g, 'Core_version', none), a)
    assert.equal(runs, 1, 'asked again: the same proof')
    // another method, or other arguments, is another proof
    const m = await chain.callProof(g, 'AuraApi_authorities', none)
    assert.ok(m, 'a proof of the authorities read')
    assert.equal(count(), 2)
    assert.notDeepEqual(m, a)
    // a call with long arguments (a block, a large transaction) is not looked up: run each time
    const long = new Uint8Array(2048).fill(1)
    const l1 = await chain.callProof(g, 'Core_version', long)
    const l2 = await chain.callProof(g, 'Core_version', long)
    assert.deepEqual(l2, l1)
    assert.equal(count(), 4)
  } finally {
    StateProver.prototype.callProofIsolated = original
    chain.close()
  }
})
