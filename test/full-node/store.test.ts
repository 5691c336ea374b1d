// The SQLite store behind DevChain, on node-template's real runtime: a chain survives close/reopen with
// the same best/finalized blocks, justifications, state roots and proofs; state per block is right (a
// stored block re-executes on the stored parent state to the stored child state); another chain's
// database is refused; and a writer killed with SIGKILL at random moments never leaves a damaged
// database: every restart continues from the last stored block.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Reader, toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri, storagePrefix } from '../../src/crypto/index.ts'
import { DevChain, MEMORY_STATES, StoreError, authorAuraBlock, executeBlock, localJustification, runtimeAt } from '../../src/full-node/index.ts'
import { stateRoot } from '../../src/trie/index.ts'
import { encodeHeader } from '../../src/header/index.ts'
import type { MemoryStorage } from '../../src/executor/index.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION } from '../../src/network/index.ts'
import { decodeWarpProof, encodeJustification } from '../../src/finality/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { seededRandom } from '../support/random.ts'
import Database from 'better-sqlite3'

const rootOf = (s: MemoryStorage) =>
  toHex(stateRoot(s.topEntries(), s.childKeys().map((k) => [k, s.childEntries(k)] as const), 0))

test('store: close and reopen keeps blocks, finality, justifications, states and proofs', needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  const path = join(dir, 'db.sqlite')
  try {
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    const alice = sr25519FromSuri('//Alice')
    const grandpa = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
    let chain = DevChain.open(spec, path, 1)
    const g = chain.bestBlock
    const set = { setId: 0n, authorities: new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
    const hashes = [chain.genesisHash]
    let justification2: Uint8Array | undefined
    for (let i = 1; i <= 5; i++) {
      const best = chain.bestBlock
      const slot = 3_000_000n + BigInt(2 * i) // even slots: Alice's
      const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
      hashes.push(chain.add(block, state))
      if (i === 2) chain.finalize(hashes[2], (justification2 = localJustification(block.header, 1n, set, grandpa).encoded))
    }
    const bestBefore = chain.bestBlock
    chain.close()

    chain = DevChain.open(spec, path, 1)
    assert.equal(toHex(chain.bestBlock.hash), toHex(hashes[5]))
    assert.equal(chain.finalized().number, 2)
    assert.equal(toHex(chain.finalized().hash), toHex(hashes[2]))
    assert.equal(rootOf(chain.bestBlock.state), toHex(bestBefore.header.stateRoot))
    // the justification is kept (it ends warp proofs); sync/2 serves the restored blocks with bodies, and
    // no justification for #2: like Substrate, only set changes' and every 512th block's go to peers, and
    // to chain_getBlock (Substrate persists only those; the latest one is its warp proofs' `best_justification`)
    assert.equal(toHex(chain.justification(hashes[2])!), toHex(justification2!))
    assert.equal(chain.keptJustification(hashes[2]), undefined)
    const served = chain.blocks({ fields: BLOCK_HEADER | BLOCK_BODY | BLOCK_JUSTIFICATION, from: { number: 1 }, direction: 'ascending', maxBlocks: 10 }, 10)
    assert.deepEqual(served.map((b) => toHex(b.hash)), hashes.slice(1).map(toHex))
    assert.equal(served[1].justification, undefined)
    const proof = decodeWarpProof(chain.warpProof(chain.genesisHash)!)
    assert.equal(toHex(encodeJustification(proof.fragments[0].justification)), toHex(justification2!), 'the warp proof ends with the stored justification')
    assert.equal(served[0].body!.length, 1, 'the timestamp inherent')
    // state is kept from one block below the finalized block on (keepStates = 1); below it, pruned
    const numberKey = storagePrefix('System', 'Number')
    for (const n of [1, 2, 3, 4, 5]) assert.equal(new Reader(chain.blockAt(n)!.state!.get(numberKey)!).u32(), n)
    assert.equal(chain.blockAt(0)!.state, undefined)
    assert.ok(chain.readProof(hashes[5], [numberKey]))
    assert.ok(chain.readProof(hashes[1], [numberKey]))
    assert.equal(chain.readProof(hashes[0], [numberKey]), undefined)
    // per-block state is right: block 4 re-executed on the stored state of block 3 gives the stored state of block 4
    const b4 = chain.blockAt(4)!
    const executed = executeBlock(chain.blockAt(3)!.state!, { header: b4.header, body: b4.body })
    assert.equal(rootOf(executed), rootOf(b4.state!))
    assert.equal(rootOf(b4.state!), toHex(b4.header.stateRoot))
    chain.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("store: another chain's database is refused", needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  try {
    const path = join(dir, 'db.sqlite')
    DevChain.open(parseChainSpec(readFixtureText('chain-specs', 'node-template.json')), path).close()
    const other = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
    assert.throws(() => DevChain.open(other, path), (e: unknown) => e instanceof StoreError && e.code === 'WrongChain')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('store: a state changed behind our back is refused on open (its root no longer matches its header)', needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  try {
    const path = join(dir, 'db.sqlite')
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    const alice = sr25519FromSuri('//Alice')
    const chain = DevChain.open(spec, path, 1)
    for (let i = 1; i <= 3; i++) {
      const best = chain.bestBlock
      const slot = 3_000_000n + BigInt(2 * i)
      const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
      chain.add(block, state)
    }
    chain.close()
    DevChain.open(spec, path, 1).close() // intact: opens
    const db = new Database(path)
    // the latest stored value of some key (a row of the best block's diff)
    const row = db.prepare('SELECT trie, key, number FROM state WHERE value IS NOT NULL ORDER BY number DESC LIMIT 1').get() as { trie: Buffer; key: Buffer; number: number }
    const changed = db.prepare('UPDATE state SET value = ? WHERE trie = ? AND key = ? AND number = ?').run(Buffer.from([0xde, 0xad]), row.trie, row.key, row.number)
    db.close()
    assert.equal(changed.changes, 1)
    assert.throws(() => DevChain.open(spec, path, 1), (e: unknown) => e instanceof StoreError && e.code === 'Corrupted')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('store: a damaged chain index is refused on open with a typed error (finalized block gone, canonical link broken)', needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  try {
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    const alice = sr25519FromSuri('//Alice')
    const build = (path: string) => {
      const chain = DevChain.open(spec, path, 8, 1)
      for (let i = 1; i <= 4; i++) {
        const best = chain.bestBlock
        const slot = 3_000_000n + BigInt(2 * i)
        const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
        chain.finalize(chain.add(block, state))
      }
      chain.close()
    }
    const damaged = (path: string, sql: string) => {
      const db = new Database(path)
      assert.ok(db.prepare(sql).run().changes >= 1, sql)
      db.close()
      assert.throws(() => DevChain.open(spec, path, 8, 1), (e: unknown) => e instanceof StoreError && e.code === 'Corrupted', sql)
    }
    // the finalized pointer names a block that is not stored
    build(join(dir, 'a.sqlite'))
    damaged(join(dir, 'a.sqlite'), "UPDATE meta SET value = zeroblob(32) WHERE key = 'finalized'")
    // a canonical entry points at another block (genesis in place of #2, below the hot window: read header-only)
    build(join(dir, 'b.sqlite'))
    damaged(join(dir, 'b.sqlite'), 'UPDATE canonical SET hash = (SELECT hash FROM canonical WHERE number = 0) WHERE number = 2')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('store: SIGKILL of a writer at random moments never damages the database; each restart continues', { ...needsFixtures, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-kill-'))
  const path = join(dir, 'db.sqlite')
  const writer = new URL('../support/store-writer.ts', import.meta.url).pathname
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  try {
    let lastPrinted = 0
    const rnd = seededRandom('kill timing')
    for (let round = 0; round < 6; round++) {
      const p = spawn(process.execPath, ['--import', 'tsx', writer, path, '4'])
      let out = ''
      p.stdout.on('data', (d) => (out += d))
      let errOut = ''
      p.stderr.on('data', (d) => (errOut += d))
      for (let i = 0; i < 600 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50))
      const ready = /ready #(\d+)/.exec(out)
      assert.ok(ready, `writer did not start: ${errOut} (${rnd.describe()})`)
      // it resumes from what was stored: at least everything it reported before being killed
      assert.ok(Number(ready[1]) >= lastPrinted, `restart at #${ready[1]} lost blocks (last reported #${lastPrinted}; ${rnd.describe()})`)
      await new Promise((r) => setTimeout(r, 150 + Math.floor(rnd.next() * 900)))
      p.kill('SIGKILL')
      await new Promise((r) => p.once('exit', r))
      const printed = [...out.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]))
      if (printed.length) lastPrinted = printed[printed.length - 1]
      // reopen: links from genesis, best state matches its root (checked by open), and nothing reported is lost
      const chain = DevChain.open(spec, path, 4)
      const best = chain.bestBlock
      assert.ok(best.header.number >= lastPrinted, `best #${best.header.number} < reported #${lastPrinted}`)
      assert.equal(rootOf(best.state), toHex(best.header.stateRoot))
      for (let n = 1; n <= best.header.number; n++) assert.equal(chain.blockAt(n)!.body.length >= 1, true)
      chain.close()
    }
    assert.ok(lastPrinted >= 6, `the writer made progress across restarts (reached #${lastPrinted})`)
    console.log(`kill -9 rounds: 6, chain reached #${lastPrinted}, database ${(statSync(path).size / 1024).toFixed(0)} KiB`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('store: only the last MEMORY_STATES finalized states stay in memory; older ones in the kept window are rebuilt from the database', needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  const path = join(dir, 'db.sqlite')
  const KEEP = MEMORY_STATES + 8
  try {
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    const alice = sr25519FromSuri('//Alice')
    const grandpa = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
    const chain = DevChain.open(spec, path, KEEP)
    const g = chain.bestBlock
    const set = { setId: 0n, authorities: new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
    const total = KEEP + 12
    for (let i = 1; i <= total; i++) {
      const best = chain.bestBlock
      const slot = 3_000_000n + BigInt(2 * i)
      const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
      const hash = chain.add(block, state)
      chain.finalize(hash, localJustification(block.header, 1n, set, grandpa).encoded)
    }
    const numberKey = storagePrefix('System', 'Number')
    const inMemory = (n: number) => chain.blockAt(n)!.state !== undefined
    assert.ok(inMemory(total - MEMORY_STATES), 'the newest window stays in memory')
    assert.ok(!inMemory(total - MEMORY_STATES - 1), 'older states leave memory')
    for (const n of [total - MEMORY_STATES - 1, total - KEEP]) {
      const b = chain.blockAt(n)!
      assert.ok(chain.hasStateOf(b.hash), `#${n}: its state can be had`)
      const state = chain.stateOf(b.hash)!
      assert.equal(rootOf(state), toHex(b.header.stateRoot), `#${n} rebuilt to its state root`)
      assert.equal(new Reader(state.get(numberKey)!).u32(), n)
      assert.ok(chain.readProof(b.hash, [numberKey]), `#${n}: a proof from the rebuilt state`)
    }
    const gone = chain.blockAt(total - KEEP - 1)!
    assert.equal(chain.stateOf(gone.hash), undefined, 'past the kept window: pruned for good')
    assert.equal(chain.hasStateOf(gone.hash), false)
    assert.equal(chain.readProof(gone.hash, [numberKey]), undefined)
    chain.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('store: blocks long finalized keep only hash and weight in memory; requests, justifications, warp proofs and a restart read them back alike', needsFixtures, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-store-'))
  const path = join(dir, 'db.sqlite')
  const HOT = 3
  try {
    const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
    const alice = sr25519FromSuri('//Alice')
    const grandpa = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
    let chain = DevChain.open(spec, path, 256, HOT)
    const g = chain.bestBlock
    const set = { setId: 0n, authorities: new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
    const authored: { hash: Uint8Array; header: Uint8Array; body: Uint8Array[]; justification: Uint8Array }[] = []
    for (let i = 1; i <= 10; i++) {
      const best = chain.bestBlock
      const slot = 3_000_000n + BigInt(2 * i)
      const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author: alice })
      const hash = chain.add(block, state)
      const justification = localJustification(block.header, 1n, set, grandpa).encoded
      chain.finalize(hash, justification)
      authored.push({ hash, header: encodeHeader(block.header), body: block.body, justification })
    }
    const check = (label: string) => {
      // #1..#6 are more than HOT below the finalized #10: their data is no longer held by the block object
      for (const n of [1, 6]) assert.ok(!Object.hasOwn(chain.blockAt(n)!, 'header') && !Object.hasOwn(chain.blockAt(n)!, 'body'), `${label}: #${n} holds no header or body`)
      assert.ok(Object.hasOwn(chain.blockAt(7)!, 'header'), `${label}: #7 is still whole in memory`)
      for (const [i, a] of authored.entries()) {
        const b = chain.blockAt(i + 1)!
        assert.equal(toHex(b.hash), toHex(a.hash))
        assert.equal(toHex(encodeHeader(b.header)), toHex(a.header), `${label}: #${i + 1} header`)
        assert.deepEqual(b.body.map(toHex), a.body.map(toHex))
        assert.equal(toHex(chain.justification(a.hash)!), toHex(a.justification), `${label}: #${i + 1} justification`)
      }
      const served = chain.blocks({ fields: BLOCK_HEADER | BLOCK_BODY, from: { number: 10 }, direction: 'descending', maxBlocks: 64 }, 64)
      assert.deepEqual(served.map((b) => toHex(b.header!)), [...authored].reverse().map((a) => toHex(a.header)).concat([toHex(encodeHeader(chain.blockAt(0)!.header))]))
      assert.deepEqual(served.slice(0, 10).map((b) => b.body!.map(toHex)), [...authored].reverse().map((a) => a.body.map(toHex)))
      // a warp proof from a cold block: no set change, so the finalized tip with its justification
      const warp = decodeWarpProof(chain.warpProof(authored[1].hash)!)
      assert.deepEqual(warp.fragments.map((f) => toHex(encodeJustification(f.justification))), [toHex(authored[9].justification)])
      assert.ok(chain.descends(authored[9].hash, authored[0].hash))
    }
    check('running')
    chain.close()
    chain = DevChain.open(spec, path, 256, HOT)
    check('reopened')
    chain.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
