// Acceptance (databaseContent): the string `chainHead_unstable_finalizedDatabase` returns, given back to
// `addChain`, restarts the client at the saved finalized block — with its saved peers when the spec has
// no boot node, and offline at exactly that block — while a corrupted or foreign string is ignored with
// a warning (the client starts from the spec's genesis). Plus the codec's own checks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { DatabaseError, decodeDatabase, encodeDatabase, type FinalizedDatabase } from '../../src/light-client/database.ts'
import { headerHash } from '../../src/header/index.ts'
import { initialGrandpaState } from '../../src/finality/index.ts'
import { genesisHeader } from '../../src/chain-spec/index.ts'
import { checkpointStart } from '../../src/sync/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { randomBytes as nodeRandomBytes } from 'node:crypto'

const randomBytes = (n: number) => new Uint8Array(nodeRandomBytes(n))

test('finalized database codec: round trip, size limit, every malformed field refused', { ...needsFixtures }, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const header = genesisHeader(spec)
  const genesisHash = headerHash(header)
  const key = () => randomBytes(32)
  const db: FinalizedDatabase = {
    genesisHash,
    finalized: header,
    grandpa: { ...initialGrandpaState(3n, [{ publicKey: key(), weight: 1n }]), pending: [{ effectiveAt: 9, authorities: [{ publicKey: key(), weight: 2n }], forced: true }], disabled: [1n], pausedAt: 12 },
    consensus: { kind: 'aura', authorities: [key(), key()], slotMs: 6000n, scheme: 'ed25519' },
    peers: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWAAA', '/ip4/127.0.0.1/tcp/2/p2p/12D3KooWBBB'],
  }
  const text = encodeDatabase(db)
  assert.deepEqual(decodeDatabase(text, genesisHash), db)
  // a size limit drops peers first, then gives up (empty string)
  const small = encodeDatabase(db, text.length - 1)
  assert.ok(small.length > 0 && small.length < text.length)
  assert.deepEqual(decodeDatabase(small, genesisHash).peers.length < 2, true)
  assert.equal(encodeDatabase(db, 10), '')
  // the finalized block's runtime travels with it; a size limit drops it before any peer
  const withRuntime = { ...db, runtime: { code: new Uint8Array(4000).fill(7), heapPages: 1024 } }
  const full = encodeDatabase(withRuntime)
  assert.deepEqual(decodeDatabase(full, genesisHash), withRuntime)
  assert.deepEqual(decodeDatabase(encodeDatabase(withRuntime, full.length - 1), genesisHash), db, 'runtime dropped, peers kept')
  const badPages = JSON.parse(full)
  badPages.runtime.heapPages = -1
  assert.throws(() => decodeDatabase(JSON.stringify(badPages), genesisHash), DatabaseError)
  const bigSet = JSON.parse(text)
  bigSet.grandpa.setId = '18446744073709551616'
  assert.throws(() => decodeDatabase(JSON.stringify(bigSet), genesisHash), /does not fit a u64/)
  // another chain's database
  assert.throws(() => decodeDatabase(text, key()), DatabaseError)
  // a parachain's: no GRANDPA set, its relay chain vouches for its blocks; a solo chain's with no set is refused
  const paraDb: FinalizedDatabase = { ...withRuntime, grandpa: initialGrandpaState(0n, []), consensus: { kind: 'relay' } }
  assert.deepEqual(decodeDatabase(encodeDatabase(paraDb), genesisHash), paraDb)
  const noSet = JSON.parse(text)
  noSet.grandpa.authorities = []
  assert.throws(() => decodeDatabase(JSON.stringify(noSet), genesisHash), /grandpa.authorities is empty/)
  // a BABE chain's database: the polkadot-dev checkpoint's epochs, and a genesis epoch
  const dev = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const start = checkpointStart(dev.lightSyncState!)
  const devGenesis = headerHash(genesisHeader(dev))
  const babeDb: FinalizedDatabase = { genesisHash: devGenesis, finalized: start.finalized, grandpa: start.grandpa, consensus: { kind: 'babe', slotMs: 6000n, epochs: { ...start.babe, disabled: [2] } }, peers: [] }
  const babeText = encodeDatabase(babeDb)
  assert.deepEqual(decodeDatabase(babeText, devGenesis), babeDb)
  const { startSlot: _, ...template } = start.babe.current
  const genesisDb: FinalizedDatabase = { ...babeDb, consensus: { kind: 'babe', slotMs: 6000n, epochs: { genesis: template } } }
  assert.deepEqual(decodeDatabase(encodeDatabase(genesisDb), devGenesis), genesisDb)

  // every field replaced by garbage, one at a time, is refused with a DatabaseError (never another error)
  const accepted: string[] = []
  const mutate = (text: string, genesisHash: Uint8Array, paths: string[][]) => {
    for (const path of paths) {
      for (const junk of [null, 7, 'zz', [], {}, '0x00', [['0x00', 'x']]]) {
        const o = JSON.parse(text)
        let at = o
        for (const p of path.slice(0, -1)) at = at[p]
        at[path[path.length - 1]] = junk
        const again = JSON.stringify(o)
        if (again === text) continue
        let decoded: FinalizedDatabase
        try {
          decoded = decodeDatabase(again, genesisHash)
        } catch (e) {
          assert.ok(e instanceof DatabaseError, `${path.join('.')} = ${JSON.stringify(junk)}: ${e}`)
          continue
        }
        // accepted only when it is a database in its own right: it encodes back to exactly the same text
        assert.equal(encodeDatabase(decoded), again, `${path.join('.')} = ${JSON.stringify(junk)}`)
        accepted.push(path.join('.'))
      }
    }
  }
  mutate(text, genesisHash, [['format'], ['version'], ['genesisHash'], ['finalizedHeader'], ['grandpa'], ['grandpa', 'setId'], ['grandpa', 'authorities'], ['grandpa', 'pending'], ['grandpa', 'disabled'], ['grandpa', 'pausedAt'], ['consensus'], ['consensus', 'kind'], ['consensus', 'authorities'], ['consensus', 'slotMs'], ['consensus', 'scheme'], ['peers']])
  const epochFields = ['epochIndex', 'startSlot', 'duration', 'authorities', 'randomness', 'c', 'allowedSlots']
  mutate(babeText, devGenesis, [['consensus', 'kind'], ['consensus', 'current'], ['consensus', 'next'], ['consensus', 'disabled'], ...epochFields.map((f) => ['consensus', 'current', f]), ...epochFields.map((f) => ['consensus', 'next', f])])
  // the only garbage that is a database: empty lists and no pause
  assert.deepEqual([...new Set(accepted)].sort(), ['consensus.authorities', 'consensus.current.authorities', 'consensus.disabled', 'consensus.next', 'consensus.next.authorities', 'grandpa.disabled', 'grandpa.pausedAt', 'grandpa.pending', 'peers'])
  // truncations of the string never decode into something else
  for (let n = 0; n < text.length; n += 7) assert.throws(() => decodeDatabase(text.slice(0, n), genesisHash), DatabaseError)
})

test('databaseContent restarts the client at the saved block; a corrupted or foreign one is ignored with a warning', { ...needsFixtures, timeout: 150_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (level, _t, m) => void logs.push(`${level} ${m}`) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 2, 60_000, 'the devnet finalizing blocks')
    // first run: warp from genesis, then save
    const first = await addChainWith(client, specText, [dev.host.addresses()[0]])
    const a = session(first)
    await a.rpc('chainHead_v1_follow', [false])
    await a.event((e) => e.event === 'initialized', 'initialized')
    const saved = (await a.rpc('chainHead_unstable_finalizedDatabase', [])).result as string
    const savedJson = JSON.parse(saved)
    const savedHash = toHex(headerHash(decodeDatabase(saved, dev.chain.genesisHash).finalized))
    const savedBlock = dev.chain.block(Uint8Array.from(Buffer.from(savedHash.slice(2), 'hex')))!
    assert.ok(savedBlock.header.number >= 2, 'the saved block is one of the node\'s finalized blocks')
    assert.ok(savedJson.peers.some((p: string) => p.includes(dev.host.peerId)), 'the node is among the saved peers')
    const limited = (await a.rpc('chainHead_unstable_finalizedDatabase', [saved.length - 1])).result as string
    assert.ok(limited.length <= saved.length - 1)
    first.remove()

    const noBootNodes = [] as string[]
    const offline = JSON.stringify({ ...savedJson, peers: [] })
    const foreign = JSON.stringify({ ...savedJson, genesisHash: toHex(new Uint8Array(32).fill(7)) })
    const withDb = (content: string) => {
      const json = JSON.parse(specText)
      json.bootNodes = noBootNodes
      return client.addChain({ chainSpec: JSON.stringify(json), databaseContent: content })
    }
    const [restarted, alone, corrupt, other] = await Promise.all([withDb(saved), withDb(offline), withDb(saved.slice(0, 40)), withDb(foreign)])
    const sessions = [restarted, alone, corrupt, other].map(session)
    const inits = await Promise.all(
      sessions.map(async (s) => {
        const sub = (await s.rpc('chainHead_v1_follow', [false])).result as string
        return { sub, hash: (await s.event((e) => e.event === 'initialized', 'initialized')).finalizedBlockHashes[0] as string }
      }),
    )
    // with the saved peers (the spec has none), the client finds the node again and follows from the saved block up
    const restartedAt = dev.chain.block(Uint8Array.from(Buffer.from(inits[0].hash.slice(2), 'hex')))
    assert.ok(restartedAt && restartedAt.header.number >= savedBlock.header.number, 'restarted at or above the saved block')
    assert.ok(logs.some((l) => l.includes(`starting from the database's finalized block: #${savedBlock.header.number} `)))
    const alice = storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey])
    const st = (await sessions[0].rpc('chainHead_v1_storage', [inits[0].sub, inits[0].hash, [{ key: toHex(alice), type: 'value' }], null])).result
    const done = await sessions[0].event((e) => e.operationId === st.operationId && e.event !== 'operationStorageItems', 'storage done')
    assert.equal(done.event, 'operationStorageDone', 'the saved peer answers storage')
    // no peer at all: exactly the saved block
    assert.equal(inits[1].hash, savedHash)
    // corrupted and foreign: ignored with a warning, the client starts from the spec (genesis, no peer)
    assert.equal(inits[2].hash, toHex(dev.chain.genesisHash))
    assert.equal(inits[3].hash, toHex(dev.chain.genesisHash))
    assert.ok(logs.some((l) => l.startsWith('2 ignoring the database content: database content: not JSON')), logs.join('\n'))
    assert.ok(logs.some((l) => l.startsWith('2 ignoring the database content') && l.includes('another chain')))
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
