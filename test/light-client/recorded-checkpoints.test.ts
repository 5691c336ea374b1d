// Every live checkpoint recorded in ../shared/fixtures/recorded/checkpoints/ (Polkadot 600, Kusama 998-1,000,
// Westend 20 authorities) whose chain has a live spec in chain-specs/: its `raw_lightSyncState` put in that
// spec, the light client starts offline at exactly the recorded block (header hash) with the recorded
// GRANDPA set and BABE epochs decoded — the recorder's decoding is the expected value. A `chainHead_v1`
// follow initializes there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { start } from '../../src/light-client/index.ts'
import { ChainService } from '../../src/light-client/chain-service.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import { session } from '../support/light-client.ts'
import { fixturePath, haveFixtures, needsFixtures, readFixtureText } from '../support/fixtures.ts'

interface Recorded {
  chain_id: string
  finalized_block: { number: number; hash: string }
  grandpa: { set_id: number; authorities: { id: string }[] }
  babe_epochs: { epoch_index: number; authorities: unknown[] }[]
  raw_lightSyncState: unknown
}
/** The live spec of each recorded chain, by chain id. */
const LIVE_SPECS: Record<string, string> = { polkadot: 'polkadot.json', ksmcc3: 'ksmcc3.json', westend2: 'westend2.json' }

const recorded = haveFixtures
  ? readdirSync(fixturePath('recorded', 'checkpoints'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ file: f, r: JSON.parse(readFixtureText('recorded', 'checkpoints', f)) as Recorded }))
  : []
const specWith = (r: Recorded) => {
  const json = JSON.parse(readFixtureText('chain-specs', LIVE_SPECS[r.chain_id]))
  assert.equal(json.id, r.chain_id)
  json.lightSyncState = r.raw_lightSyncState
  json.bootNodes = []
  return json
}

test('each recorded live checkpoint starts the light client offline at exactly its block, its 20-1,000 authorities decoded', { ...needsFixtures, timeout: 120_000 }, async () => {
  const usable = recorded.filter(({ r }) => LIVE_SPECS[r.chain_id])
  assert.ok(usable.length >= 3, `checkpoints of chains with a live spec: ${usable.map((u) => u.file)}`)
  // a ChainService alone holds no handle on the process (the client does, from start() to terminate()):
  // offline, nothing else would keep this test's process running while it waits to be ready
  const alive = setInterval(() => {}, 1000)
  await Promise.all(
    usable.map(async ({ file, r }) => {
      const svc = await ChainService.start({ spec: parseChainSpec(JSON.stringify(specWith(r))), transports: nodeTransports, log: () => {} })
      try {
        await svc.ready
        const fin = svc.finalized()
        assert.equal(toHex(fin.hash), r.finalized_block.hash, file)
        assert.equal(fin.header.number, r.finalized_block.number, file)
        const set = svc.sync.setAt(fin.hash)!
        assert.equal(set.setId, BigInt(r.grandpa.set_id), file)
        assert.deepEqual(set.authorities.map((a) => toHex(a.publicKey)), r.grandpa.authorities.map((a) => a.id), `${file}: the GRANDPA set`)
        const consensus = svc.sync.consensusAt(fin.hash)!.consensus
        assert.equal(consensus.kind, 'babe')
        if (consensus.kind !== 'babe' || 'genesis' in consensus.epochs) throw new Error('BABE epochs expected')
        const { current, next } = consensus.epochs
        const epochs = new Map(r.babe_epochs.map((e) => [BigInt(e.epoch_index), e.authorities.length]))
        assert.equal(current.authorities.length, epochs.get(current.epochIndex), `${file}: epoch ${current.epochIndex}`)
        if (next) assert.equal(next.authorities.length, epochs.get(next.epochIndex), `${file}: epoch ${next.epochIndex}`)
        assert.ok(current.authorities.length >= 20, file)
      } finally {
        await svc.stop()
      }
    }),
  ).finally(() => clearInterval(alive))
})

test('a chainHead_v1 follow initializes at the recorded Kusama checkpoint (1,000 authorities)', { ...needsFixtures, timeout: 60_000 }, async () => {
  const { r } = recorded.find(({ r }) => r.chain_id === 'ksmcc3' && r.grandpa.authorities.length === 1000)!
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    const chain = await client.addChain({ chainSpec: JSON.stringify(specWith(r)) })
    const { rpc, event } = session(chain)
    await rpc('chainHead_v1_follow', [false])
    const init = await event((e) => e.event === 'initialized', 'initialized')
    assert.deepEqual(init.finalizedBlockHashes, [r.finalized_block.hash])
  } finally {
    await client.terminate()
  }
})
