// Acceptance: sublight's light client and smoldot 3.4.1 follow the same `sublight dev` devnet and are
// asked the same chainHead_v1 questions at the same block (the one smoldot initialized on): header,
// body, storage values and hashes (Alice, Bob, System.Number, :code), every System.Account entry
// (descendantsValues/Hashes, proof-guided walks) and runtime call outputs
// (Core_version, Metadata_metadata, AccountNonceApi for Alice). The answers must be identical.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey, storagePrefix } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { fixturePath, needsFixtures, readFixtureText } from '../support/fixtures.ts'

const harness = new URL('../support/smoldot-answers.mjs', import.meta.url).pathname

test('sublight and smoldot give identical chainHead_v1 answers at the same block', { ...needsFixtures, timeout: 180_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0/ws'], rpcPort: null })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const addr = dev.host.addresses()[0]
    // ours follows first, so it knows every block smoldot may initialize on
    const chain = await addChainWith(client, specText, [addr])
    const { rpc, event, events } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [true])).result
    await event((e) => e.event === 'initialized', 'initialized')

    const alice = sr25519FromSuri('//Alice').publicKey
    const keys = [storageKey('System', 'Account', ['Blake2_128Concat', alice]), storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Bob').publicKey]), storagePrefix('System', 'Number'), utf8(':code')].map(toHex)
    const calls: [string, string][] = [['Core_version', '0x'], ['Metadata_metadata', '0x'], ['AccountNonceApi_account_nonce', toHex(alice)]]
    const accounts = toHex(storagePrefix('System', 'Account'))
    const { stdout } = await promisify(execFile)(process.execPath, [harness, fixturePath('chain-specs', 'node-template.json'), addr, keys.join(','), calls.map((c) => c.join(':')).join(',')], { timeout: 120_000, maxBuffer: 64 << 20, env: { ...process.env, DESCENDANTS: accounts } })
    const theirs = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7))
    assert.equal(theirs.error, undefined, theirs.error)
    const hash: string = theirs.hash
    assert.ok(dev.chain.block(fromHex(hash)), 'smoldot initialized on one of the node\'s blocks')

    // our answers at the same block
    await waitFor(() => events.some((e) => e.event === 'newBlock' && e.blockHash === hash) || events.some((e) => e.event === 'initialized' && e.finalizedBlockHashes.includes(hash)), 30_000, 'our client knowing that block')
    assert.equal((await rpc('chainHead_v1_header', [sub, hash])).result, theirs.header, 'header')
    const body = (await rpc('chainHead_v1_body', [sub, hash])).result
    assert.deepEqual((await event((e) => e.operationId === body.operationId, 'body')).value, theirs.body, 'body')
    const queries = keys.flatMap((key) => [{ key, type: 'value' }, { key, type: 'hash' }])
    queries.push({ key: accounts, type: 'descendantsValues' }, { key: accounts, type: 'descendantsHashes' })
    const st = (await rpc('chainHead_v1_storage', [sub, hash, queries, null])).result
    const items: any[] = []
    for (;;) {
      const e = await event((x) => x.operationId === st.operationId, 'storage')
      if (e.event === 'operationStorageItems') items.push(...e.items)
      else break
    }
    const norm = (xs: any[]) => xs.map((x) => JSON.stringify(x)).sort()
    assert.deepEqual(norm(items), norm(theirs.storage), 'storage values, hashes and descendants')
    assert.ok(theirs.storage.filter((i: any) => i.key.startsWith(accounts)).length >= 2 * 4, 'the endowed accounts, as values and as hashes')
    for (const [fn, args] of calls) {
      const c = (await rpc('chainHead_v1_call', [sub, hash, fn, args])).result
      const done = await event((e) => e.operationId === c.operationId, fn)
      assert.equal(done.output ?? done.event, theirs.calls[fn], fn)
    }
  } finally {
    await client.terminate().catch(() => {})
    await dev.stop()
  }
})
