// A block's state root is in the state version of the runtime that executed it, taken from the chain's
// own runtime, not fixed at start: the live Polkadot Coretime genesis (a state-version-1 runtime) and
// node-template (version 0) both serve read proofs that verify against their real genesis state roots,
// for a value of 33 bytes or more (hashed in V1, inline in V0).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevChain, stateVersionAt, genesisState } from '../../src/full-node/index.ts'
import { TrieProof } from '../../src/trie/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('proofs in the state version of the chain\'s runtime (V1 Coretime, V0 node-template)', needsFixtures, () => {
  for (const [file, version] of [['polkadot_coretime.json', 1], ['node-template.json', 0]] as const) {
    const spec = parseChainSpec(readFixtureText('chain-specs', file))
    assert.equal(stateVersionAt(genesisState(spec)), version, file)
    const chain = new DevChain(spec)
    const g = chain.blockAt(0)!
    const code = utf8(':code') // a large value: hashed in V1 tries, inline in V0
    const proof = chain.readProof(g.hash, [code])!
    const view = TrieProof.decode(g.header.stateRoot, proof)
    const got = view.get(code)
    assert.equal(got.kind, 'value', file)
    assert.equal(got.kind === 'value' && toHex(got.value), toHex(g.state!.get(code)!), file)
  }
})
