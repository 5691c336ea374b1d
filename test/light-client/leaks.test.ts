// Acceptance (#23 items 3 and 4): 20 chains started from a database whose only peer is unreachable (so
// the peer set keeps dialling it), removed, then `terminate()`: no socket or timer of theirs is left (the
// process's active resources are counted). A database with malformed peers is a warning and a start from
// the database's block, never a thrown error; every bad spec or database is an AddChainError or ignored.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { genesisHeader, parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { initialGrandpaState } from '../../src/finality/index.ts'
import { encodeDatabase } from '../../src/light-client/database.ts'
import { AddChainError, start } from '../../src/light-client/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { freePort } from '../support/dev-process.ts'

/** Counts of the resource kinds a chain could leak (sockets, timers). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) if (/TCP|Timeout|Timer|Immediate/.test(r)) counts[r] = (counts[r] ?? 0) + 1
  return counts
}

function databaseWithPeers(specText: string, peers: string[]): string {
  const spec = parseChainSpec(specText)
  const genesis = genesisHeader(spec)
  return encodeDatabase({
    genesisHash: headerHash(genesis),
    finalized: genesis,
    grandpa: initialGrandpaState(0n, [{ publicKey: ed25519FromSuri('//Alice').publicKey, weight: 1n }, { publicKey: ed25519FromSuri('//Bob').publicKey, weight: 1n }]),
    consensus: { kind: 'aura', authorities: [sr25519FromSuri('//Alice').publicKey, sr25519FromSuri('//Bob').publicKey], slotMs: 6000n, scheme: 'sr25519' },
    peers,
  })
}

test('20 chains whose database peer is unreachable, removed, then terminate(): no socket or timer left', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = JSON.parse(readFixtureText('chain-specs', 'node-template.json'))
  spec.bootNodes = []
  const specText = JSON.stringify(spec)
  const unreachable = `/ip4/127.0.0.1/tcp/${await freePort()}/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp`
  const databaseContent = databaseWithPeers(specText, [unreachable])
  await new Promise((r) => setTimeout(r, 200))
  const before = resources()
  const client = start({ maxLogLevel: 0 })
  const chains = []
  for (let i = 0; i < 20; i++) chains.push(await client.addChain({ chainSpec: specText, databaseContent }))
  // the peer sets dial and re-dial meanwhile
  await new Promise((r) => setTimeout(r, 3_000))
  const during = resources()
  for (const c of chains.slice(0, 19)) c.remove()
  await client.terminate()
  // closing sockets and clearing timers settle within a moment
  let after = resources()
  for (let i = 0; i < 40 && Object.entries(after).some(([k, n]) => n > (before[k] ?? 0)); i++) {
    await new Promise((r) => setTimeout(r, 100))
    after = resources()
  }
  for (const [kind, n] of Object.entries(after)) assert.ok(n <= (before[kind] ?? 0), `${kind}: ${n} after terminate(), ${before[kind] ?? 0} before, ${during[kind] ?? 0} while running`)
})

test('bad specs and databases: AddChainError or ignored with a warning, never another class, nothing left running', { ...needsFixtures, timeout: 60_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const logs: string[] = []
  const client = start({ maxLogLevel: 2, logCallback: (_l, _t, m) => logs.push(m) })
  try {
    // a spec whose :code is not a runtime
    const badCode = JSON.parse(specText)
    badCode.genesis.raw.top['0x3a636f6465'] = '0x0102030405'
    await assert.rejects(client.addChain({ chainSpec: JSON.stringify(badCode) }), (e: unknown) => e instanceof AddChainError, 'bad :code → AddChainError')
    // a spec without :code
    const noCode = JSON.parse(specText)
    delete noCode.genesis.raw.top['0x3a636f6465']
    await assert.rejects(client.addChain({ chainSpec: JSON.stringify(noCode) }), (e: unknown) => e instanceof AddChainError, 'no :code → AddChainError')
    // databases: malformed peers (bad multiaddr, port > 65535, not a string) are warned about; the chain starts from the database's block
    const spec = JSON.parse(specText)
    spec.bootNodes = []
    const noBoot = JSON.stringify(spec)
    for (const peers of [['garbage'], ['/ip4/127.0.0.1/tcp/70000/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp']]) {
      logs.length = 0
      const chain = await client.addChain({ chainSpec: noBoot, databaseContent: databaseWithPeers(noBoot, peers) })
      assert.ok(logs.some((l) => /ignoring saved peer/.test(l)), `a warning for ${peers[0]}: ${logs.join(' | ')}`)
      chain.remove()
    }
    // a database whose set id does not fit a u64, or that is not JSON: ignored with a warning
    const big = JSON.parse(databaseWithPeers(noBoot, []))
    big.grandpa.setId = '99999999999999999999'
    for (const db of [JSON.stringify(big), 'not json', '{"format":"sublight-finalized-db","version":1}']) {
      logs.length = 0
      const chain = await client.addChain({ chainSpec: noBoot, databaseContent: db })
      assert.ok(logs.some((l) => /ignoring the database content/.test(l)), `a warning for ${db.slice(0, 40)}: ${logs.join(' | ')}`)
      chain.remove()
    }
  } finally {
    await client.terminate()
  }
})
