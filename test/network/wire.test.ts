// Our network codecs against every message smoldot 3.4.1 sent to a node of ours, recorded after
// decryption (../shared/fixtures/wire): each decodes with our decoder to what the recording says, and our
// encoder, given the decoded parameters, reproduces smoldot's exact bytes. The recorded child reads are
// served by our StateProver and the proof must hold the child value.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromHex, toHex, utf8 } from '../../src/codec/index.ts'
import {
  StateProver,
  decodeBlockRequest,
  decodeGrandpaGossip,
  decodeHandshake,
  decodeLightRequest,
  decodeTransactions,
  encodeBlockRequest,
  encodeGrandpaNeighbor,
  encodeHandshake,
  encodeLightRequest,
  encodeTransactions,
} from '../../src/network/index.ts'
import { MemoryStorage, ProofStorage } from '../../src/executor/index.ts'
import { decodeProof } from '../../src/trie/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

interface WireMessage {
  chain: string
  protocol: string
  kind: string
  hex: string
  decoded: Record<string, unknown>
  sublightDecoder?: { decoder: string; result?: unknown }
}

const load = () => (JSON.parse(readFixtureText('wire', 'smoldot-3.4.1-requests.json')) as { messages: WireMessage[] }).messages
const hexOf = (k: unknown) => (typeof k === 'string' ? k : (k as { hex: string }).hex)

test('every recorded smoldot message decodes with our codec and re-encodes to the same bytes', needsFixtures, () => {
  const messages = load()
  const checked = new Map<string, number>()
  const count = (what: string) => checked.set(what, (checked.get(what) ?? 0) + 1)
  for (const m of messages) {
    const bytes = fromHex(m.hex)
    const d = m.decoded
    const where = `${m.chain} ${m.protocol} ${m.kind}`
    if (m.protocol.endsWith('/block-announces/1') && m.kind === 'handshake') {
      const hs = decodeHandshake(bytes)
      assert.equal(hs.bestNumber, d.bestNumber, where)
      assert.equal(toHex(hs.bestHash), d.bestHash, where)
      assert.equal(toHex(hs.genesisHash), d.genesisHash, where)
      assert.equal(hs.roles, 2, where) // smoldot is a light client
      assert.equal(toHex(encodeHandshake(hs)), m.hex, where)
      count('block-announces handshake')
    } else if (m.protocol.endsWith('/sync/2')) {
      const r = decodeBlockRequest(bytes)
      assert.ok('hash' in r.from, where)
      assert.equal(toHex(r.from.hash), (d.from as { hash: string }).hash, where)
      assert.equal(r.direction, String(d.direction).startsWith('1') ? 'descending' : 'ascending', where)
      assert.equal(r.maxBlocks, d.maxBlocks, where)
      assert.equal(r.fields, Number(String(d.fields).split(' ')[0]) >>> 24, where)
      assert.equal(r.supportMultipleJustifications, d.supportMultipleJustifications, where)
      assert.equal(toHex(encodeBlockRequest(r)), m.hex, where)
      count('sync/2 request')
    } else if (m.protocol.endsWith('/light/2')) {
      const r = decodeLightRequest(bytes)
      assert.equal(toHex(r.block), d.block, where)
      if (r.kind === 'call') {
        assert.equal(r.method, d.method, where)
        assert.equal(toHex(r.data), hexOf(d.args), where)
      } else if (r.kind === 'read') {
        assert.deepEqual(r.keys.map(toHex), (d.keys as unknown[]).map(hexOf), where)
      } else {
        assert.deepEqual(r.keys.map(toHex), (d.keys as unknown[]).map(hexOf), where)
        // the decoder strips `:child_storage:default:`; the encoder puts it back
        assert.ok(r.childKey, where)
        assert.equal(toHex(utf8(':child_storage:default:')) + toHex(r.childKey).slice(2), hexOf(d.storageKey), where)
      }
      assert.equal(toHex(encodeLightRequest(r)), m.hex, where)
      count(`light/2 ${r.kind}`)
    } else if (m.protocol.endsWith('/transactions/1') && m.kind === 'notification') {
      const txs = decodeTransactions(bytes)
      assert.deepEqual(txs.map(toHex), d.transactions, where)
      assert.equal(toHex(encodeTransactions(txs)), m.hex, where)
      count('transactions notification')
    } else if (m.protocol.endsWith('/grandpa/1') && m.kind === 'notification') {
      const g = decodeGrandpaGossip(bytes)
      assert.equal(g.kind, 'neighbor', where)
      if (g.kind !== 'neighbor') continue
      assert.equal(g.round, BigInt(d.round as string), where)
      assert.equal(g.setId, BigInt(d.setId as string), where)
      assert.equal(g.finalizedHeight, d.commitFinalizedHeight, where)
      assert.equal(toHex(encodeGrandpaNeighbor(g)), m.hex, where)
      count('grandpa neighbor')
    } else if (m.kind === 'handshake') {
      assert.equal(m.hex, '0x02', where) // transactions/grandpa: the roles byte alone
      count('roles handshake')
    }
  }
  // every kind of message the file holds was met (the file has 103 distinct messages)
  assert.ok(messages.length >= 100, `only ${messages.length} messages`)
  for (const what of ['block-announces handshake', 'sync/2 request', 'light/2 call', 'light/2 read', 'light/2 readChild', 'transactions notification', 'grandpa neighbor', 'roles handshake']) {
    assert.ok((checked.get(what) ?? 0) > 0, `no ${what} checked`)
  }
})

test('the recorded child reads are answered with a proof that holds the child value', needsFixtures, () => {
  const childReads = load().filter((m) => m.protocol.endsWith('/light/2') && (m.decoded.type as string).startsWith('RemoteReadChildRequest'))
  assert.ok(childReads.length > 0)
  // node-template's genesis state plus the child trie the recording queried (`sublight-child`)
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  assert.equal(spec.genesis.kind, 'raw')
  if (spec.genesis.kind !== 'raw') return
  const childKey = utf8('sublight-child')
  const value = utf8('a value in a child trie')
  const storage = new MemoryStorage(spec.genesis.top, [[childKey, [[Uint8Array.from([1, 2]), value], [Uint8Array.from([1, 3]), utf8('other')]]]])
  const prover = new StateProver(storage, 1)
  for (const m of childReads) {
    const req = decodeLightRequest(fromHex(m.hex))
    assert.equal(req.kind, 'readChild')
    if (req.kind !== 'readChild' || !req.childKey) return
    const proof = prover.readChildProof(req.childKey, req.keys)
    const view = new ProofStorage(prover.root, decodeProof(proof))
    assert.equal(toHex(view.childGet(req.childKey, req.keys[0])!), toHex(value))
  }
})

test('a child read naming an unknown kind of child trie decodes without a child key (no proof, no ban)', () => {
  // RemoteReadChildRequest { block, storage_key = ":child_storage:other:x", keys = [0x01] }
  const block = new Uint8Array(32).fill(7)
  const req = encodeLightRequest({ kind: 'readChild', block, childKey: utf8('x'), keys: [Uint8Array.from([1])] })
  const patched = fromHex(toHex(req).replace(toHex(utf8(':child_storage:default:')).slice(2), toHex(utf8(':child_storage:otherxx:')).slice(2)))
  const r = decodeLightRequest(patched)
  assert.equal(r.kind, 'readChild')
  assert.equal(r.kind === 'readChild' && r.childKey, undefined)
})
