// #12, acceptance 2: a relay-chain devnet with epochs and GRANDPA set changes (`sublight dev --chain
// polkadot-dev --history`: history authored in the past, two blocks per epoch, the GRANDPA session key
// rotated every session) is accepted whole by our own verifiers from genesis — every header by the
// BABE verifier tracking epochs (`verify/`), every justification against the set in force at its
// block, the warp proof from genesis across every set change (`finality/`) — and one flipped bit in a
// late block's seal or VRF output, in a justification's signature or in a warp fragment's signature is
// refused. The runtime itself re-executes the blocks of an epoch-and-set-change stretch.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { genesisHeader, parseChainSpec } from '../../src/chain-spec/index.ts'
import { Runtime } from '../../src/executor/index.ts'
import { BABE_ENGINE, type Header } from '../../src/header/index.ts'
import { decodeJustification, decodeWarpProof, scheduledChangeOf, verifyWarpProof, type GrandpaJustification } from '../../src/finality/index.ts'
import { DevNode, executeBlock, genesisState } from '../../src/full-node/index.ts'
import { LightSync, decodeBabeConfiguration, decodeGrandpaStart } from '../../src/sync/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { waitFor } from '../support/light-client.ts'
import { storageKey } from '../../src/crypto/index.ts'
import { Reader } from '../../src/codec/index.ts'

test('a relay devnet with epoch and GRANDPA set changes is accepted by our verifiers from genesis, and bit flips are refused', { ...needsFixtures, timeout: 240_000 }, async () => {
  const json = JSON.parse(readFixtureText('chain-specs', 'polkadot-dev.json'))
  delete json.lightSyncState
  const spec = parseChainSpec(JSON.stringify(json))
  const dev = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null, history: { epochs: 200, intervalMs: 0 }, rotateSessionKeys: true })
  try {
    await waitFor(() => dev.chain.finalized().number >= 24, 180_000, 'the devnet finalizing #24')
  } finally {
    await dev.stop()
  }
  const chain = dev.chain
  const fin = chain.finalized().number
  const blocks = Array.from({ length: chain.best().number }, (_, i) => chain.blockAt(i + 1)!)
  const changes = blocks.filter((b) => b.header.number <= fin && scheduledChangeOf(b.header))
  assert.ok(changes.length >= 5, `${changes.length} GRANDPA set changes finalized`)

  // the runtime's own view at the finalized block: epochs and sets moved as many times
  const finState = chain.blockAt(fin)!.state!
  const epochIndex = new Reader(finState.get(storageKey('Babe', 'EpochIndex'))!).u64()
  const setId = new Reader(finState.get(storageKey('Grandpa', 'CurrentSetId'))!).u64()
  assert.ok(epochIndex >= 5n, `epoch index ${epochIndex}`)
  assert.equal(setId, BigInt(changes.length), 'one set id per change the headers schedule')

  // the runtime re-executes blocks #1-#8 (session rotations, key rotation extrinsics, set changes)
  let state = genesisState(spec)
  for (const b of blocks.slice(0, 8)) state = executeBlock(state, { header: b.header, body: b.body })

  // our verifiers from genesis: every header, then every justification the node stored
  const g = genesisState(spec)
  const rt = Runtime.load(g.get(new TextEncoder().encode(':code'))!)
  const call = (m: string) => rt.call(m, new Uint8Array(), { storage: g }).output
  const conf = decodeBabeConfiguration(call('BabeApi_configuration'))
  const grandpaStart = decodeGrandpaStart(call('GrandpaApi_current_set_id'), call('GrandpaApi_grandpa_authorities'))
  const fresh = () => new LightSync(genesisHeader(spec), grandpaStart, { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } })
  const now = Date.now()
  const sync = fresh()
  for (const b of blocks) {
    const r = sync.insertHeader(b.header, now)
    assert.equal(r.kind, 'inserted', `#${b.header.number}: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? '0x' + Buffer.from(v).toString('hex') : v))}`)
  }
  const justifications: GrandpaJustification[] = []
  for (const b of blocks) {
    const j = chain.justification(b.hash)
    if (j && b.header.number <= fin) justifications.push(decodeJustification(j))
  }
  assert.equal(justifications.length, fin, 'a justification for every finalized block')
  for (const j of justifications) assert.ok(sync.applyJustification(j).some((e) => e.kind === 'finalized'), `justification of #${j.targetNumber}`)
  assert.equal(sync.finalized.header.number, fin)
  assert.equal(sync.setAt(sync.finalized.hash)!.setId, setId, 'our tracker reaches the runtime set id')

  // the warp proof the node serves from genesis: one fragment per set change, then the finalized block
  const proof = decodeWarpProof(chain.warpProof(chain.genesisHash)!)
  assert.equal(proof.fragments.length, changes.length + (changes.at(-1)!.header.number === fin ? 0 : 1))
  const warped = verifyWarpProof(proof, grandpaStart)!
  assert.equal(warped.finalized.number, fin)
  assert.equal(warped.set.setId, setId)

  // one bit flipped: a late block's seal and VRF output (epoch ≥ 5: its epoch data came from the chain),
  // a set-change justification's signature, a warp fragment's signature
  const late = blocks.find((b) => b.header.number > 12)!
  const lateSync = fresh()
  for (const b of blocks.slice(0, late.header.number - 1)) lateSync.insertHeader(b.header, now)
  const flip = (h: Header, type: 'seal' | 'preRuntime', at: number): Header => ({
    ...h,
    digest: h.digest.map((d) => (d.type === type && d.engine === BABE_ENGINE ? { ...d, payload: d.payload.map((x, i) => (i === at ? x ^ 1 : x)) } : d)),
  })
  assert.equal(lateSync.insertHeader(flip(late.header, 'seal', 0), now).kind, 'invalid', 'a flipped seal bit')
  assert.equal(lateSync.insertHeader(flip(late.header, 'preRuntime', 13), now).kind, 'invalid', 'a flipped VRF output bit')
  assert.equal(lateSync.insertHeader(late.header, now).kind, 'inserted', 'the block itself')

  const flipSignature = (j: GrandpaJustification): GrandpaJustification => ({
    ...j,
    precommits: j.precommits.map((p, i) => (i === 0 ? { ...p, signature: p.signature.map((x, k) => (k === 5 ? x ^ 1 : x)) } : p)),
  })
  const jSync = fresh()
  for (const b of blocks) jSync.insertHeader(b.header, now)
  const firstChange = justifications.findIndex((j) => j.targetNumber === changes[0].header.number)
  for (const j of justifications.slice(0, firstChange)) jSync.applyJustification(j)
  assert.throws(() => jSync.applyJustification(flipSignature(justifications[firstChange])), 'a flipped signature bit in a set change justification')
  const badProof = { ...proof, fragments: proof.fragments.map((f, i) => (i === 3 ? { ...f, justification: flipSignature(f.justification) } : f)) }
  assert.throws(() => verifyWarpProof(badProof, grandpaStart), 'a flipped signature bit in the fourth warp fragment')
})
