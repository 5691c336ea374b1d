// Aura block authoring and import with execution on node-template's real runtime and genesis: blocks
// authored by //Alice carry a seal that verifies against the runtime's own Aura authorities, and a
// second node importing them by re-execution reaches the same states (the runtime checks the roots).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec, genesisHeader } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri } from '../../src/crypto/index.ts'
import { MemoryStorage, Runtime } from '../../src/executor/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { verifyAuraHeader } from '../../src/verify/index.ts'
import { BlockError, authorAuraBlock, executeBlock } from '../../src/full-node/index.ts'
import { storagePrefix } from '../../src/crypto/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

test('author three Aura blocks as //Alice; another node imports them by execution', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  if (spec.genesis.kind !== 'raw') throw new Error('raw genesis expected')
  const genesisState = new MemoryStorage(spec.genesis.top)
  const rt = Runtime.load(genesisState.get(new TextEncoder().encode(':code'))!)
  const authorities = new Reader(rt.call('AuraApi_authorities', new Uint8Array(), { storage: genesisState }).output).vec((r) => r.bytes_(32))
  const slotMs = new Reader(rt.call('AuraApi_slot_duration', new Uint8Array(), { storage: genesisState }).output).u64()
  assert.equal(authorities.length, 2)
  const alice = sr25519FromSuri('//Alice')
  assert.equal(toHex(authorities[0]), toHex(alice.publicKey))

  let parent = genesisHeader(spec)
  let state = genesisState
  let importer = new MemoryStorage(spec.genesis.top)
  let parentSlot = 0n
  for (let i = 0; i < 3; i++) {
    const slot = 1_000_000n + BigInt(2 * i) // Alice's slots: slot % 2 = 0
    const { block, state: next } = authorAuraBlock({ parent, parentState: state, slot, timestampMs: slot * slotMs, author: alice })
    assert.equal(block.header.number, i + 1)
    assert.deepEqual(block.header.parentHash, headerHash(parent))
    const v = verifyAuraHeader(block.header, { authorities, scheme: 'sr25519', parentSlot })
    assert.equal(v.authorityIndex, 0)
    importer = executeBlock(importer, block)
    // both nodes agree on the new state: System.Number is the block number
    const num = (s: MemoryStorage) => new Reader(s.get(storagePrefix('System', 'Number'))!).u32()
    assert.equal(num(next), i + 1)
    assert.equal(num(importer), i + 1)
    parent = block.header
    state = next
    parentSlot = slot
  }
  // a tampered block is rejected on import
  const { block } = authorAuraBlock({ parent, parentState: state, slot: parentSlot + 2n, timestampMs: (parentSlot + 2n) * slotMs, author: alice })
  const bad = { header: { ...block.header, stateRoot: new Uint8Array(32).fill(1) }, body: block.body }
  assert.throws(() => executeBlock(state, bad), (e: unknown) => e instanceof BlockError && e.code === 'ExecutionFailed')
})
