// Our metadata reader (pallet and call indices, signed extensions) against @polkadot/types decoding
// the same bytes: node-template's recorded metadata (V14) and the metadata Polkadot runtime 9390 returns
// at polkadot-dev's genesis. Then the node's own signed extrinsics: a transfer we sign is valid for the
// node-template runtime (which checks signature, nonce, era and versions) and decodes in @polkadot/types
// with our signer, nonce and call; bad metadata and unknown extensions get typed errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TypeRegistry, Metadata } from '@polkadot/types'
import { Writer, concatBytes, decodeAll, fromHex, utf8 } from '../../src/codec/index.ts'
import { parseChainSpec, genesisHeader } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri } from '../../src/crypto/index.ts'
import { headerHash } from '../../src/header/index.ts'
import { Runtime } from '../../src/executor/index.ts'
import { MetadataError, callIndex, decodeMetadata } from '../../src/metadata/index.ts'
import { DevExtrinsicError, accountNonce, signedExtrinsic, signingContext } from '../../src/full-node/dev-extrinsics.ts'
import { genesisState } from '../../src/full-node/index.ts'
import { decodeTransactionValidity, validateTransactionArgs, TX_SOURCE_EXTERNAL } from '../../src/full-node/tx-pool.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

function compareWithPolkadotJs(bytes: Uint8Array) {
  const ours = decodeMetadata(bytes)
  const registry = new TypeRegistry()
  const md = new Metadata(registry, bytes)
  registry.setMetadata(md)
  const theirs = md.asV14
  assert.equal(ours.pallets.size, theirs.pallets.length)
  for (const p of theirs.pallets) {
    const mine = ours.pallets.get(p.name.toString())
    assert.ok(mine, `pallet ${p.name}`)
    assert.equal(mine.index, p.index.toNumber(), `${p.name} index`)
    const calls = p.calls.isSome ? registry.lookup.getSiType(p.calls.unwrap().type).def.asVariant.variants.map((v) => [v.name.toString(), v.index.toNumber()] as const) : []
    assert.deepEqual([...mine.calls.entries()], calls, `${p.name} calls`)
  }
  assert.deepEqual(ours.signedExtensions, theirs.extrinsic.signedExtensions.map((e) => e.identifier.toString()))
  assert.equal(ours.extrinsicVersion, theirs.extrinsic.version.toNumber())
  return ours
}

test('metadata: pallet and call indices and signed extensions equal @polkadot/types', needsFixtures, () => {
  const nt = compareWithPolkadotJs(fromHex(readFixtureText('runtimes', 'node-template-metadata.hex').trim()))
  assert.deepEqual(callIndex(nt, 'Balances', 'transfer_keep_alive'), [nt.pallets.get('Balances')!.index, nt.pallets.get('Balances')!.calls.get('transfer_keep_alive')!])
  const spec = parseChainSpec(readFixtureText('chain-specs', 'polkadot-dev.json'))
  const g = genesisState(spec)
  const out = Runtime.load(g.get(utf8(':code'))!).call('Metadata_metadata', new Uint8Array(), { storage: g }).output
  const pd = decodeMetadata(out) // the runtime's Vec<u8> wrapping
  const inner = compareWithPolkadotJs(decodeAll(out, (r) => r.vecU8()))
  assert.deepEqual([...inner.pallets.keys()], [...pd.pallets.keys()])
  assert.deepEqual(callIndex(pd, 'Session', 'set_keys'), [9, 0])
  assert.throws(() => callIndex(pd, 'Sudo', 'sudo'), MetadataError, 'Polkadot 9390 has no Sudo pallet')
  assert.throws(() => callIndex(pd, 'Session', 'rotate'), MetadataError)
})

test('metadata: malformed or other-version bytes get MetadataError', needsFixtures, () => {
  const bytes = fromHex(readFixtureText('runtimes', 'node-template-metadata.hex').trim())
  assert.throws(() => decodeMetadata(bytes.subarray(0, bytes.length >> 1)), MetadataError)
  assert.throws(() => decodeMetadata(concatBytes(bytes.subarray(0, 4), Uint8Array.of(13), bytes.subarray(5))), /version 13 is not supported/)
  assert.throws(() => decodeMetadata(Uint8Array.of(1, 2, 3)), MetadataError)
})

test('dev extrinsics: a transfer we sign is valid for the runtime and decodes in @polkadot/types', needsFixtures, () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const state = genesisState(spec)
  const genesisHash = headerHash(genesisHeader(spec))
  const ctx = signingContext(state, genesisHash)
  const alice = sr25519FromSuri('//Alice')
  const bob = sr25519FromSuri('//Bob')
  const call = new Writer().bytes(Uint8Array.from(callIndex(ctx.metadata, 'Balances', 'transfer_keep_alive'))).u8(0).bytes(bob.publicKey).compact(12345n).finish()
  const nonce = accountNonce(state, alice.publicKey)
  assert.equal(nonce, 0)
  const xt = signedExtrinsic(ctx, alice, nonce, call)
  const rt = Runtime.load(state.get(utf8(':code'))!)
  const validity = decodeTransactionValidity(rt.call('TaggedTransactionQueue_validate_transaction', validateTransactionArgs(TX_SOURCE_EXTERNAL, xt, genesisHash, 3), { storage: state }).output)
  assert.ok(validity.ok, JSON.stringify(validity, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
  assert.equal(validity.valid.requires.length, 0, 'nonce 0 requires nothing')
  // a wrong nonce is a future transaction, a wrong genesis hash a bad proof: the signature covers them
  const future = decodeTransactionValidity(rt.call('TaggedTransactionQueue_validate_transaction', validateTransactionArgs(TX_SOURCE_EXTERNAL, signedExtrinsic(ctx, alice, 5, call), genesisHash, 3), { storage: state }).output)
  assert.ok(future.ok && future.valid.requires.length === 1, 'nonce 5 is valid in the future (requires nonce 4)')
  const badGenesis = decodeTransactionValidity(rt.call('TaggedTransactionQueue_validate_transaction', validateTransactionArgs(TX_SOURCE_EXTERNAL, signedExtrinsic({ ...ctx, genesisHash: new Uint8Array(32) }, alice, 0, call), genesisHash, 3), { storage: state }).output)
  assert.ok(!badGenesis.ok && badGenesis.kind === 'invalid', 'signed for another genesis: a bad proof')

  const registry = new TypeRegistry()
  const md = new Metadata(registry, fromHex(readFixtureText('runtimes', 'node-template-metadata.hex').trim()))
  registry.setMetadata(md)
  const ext = registry.createType('Extrinsic', xt)
  assert.ok(ext.isSigned)
  assert.equal(ext.signer.toString(), registry.createType('AccountId', alice.publicKey).toString())
  assert.equal(ext.nonce.toNumber(), 0)
  assert.equal(`${ext.method.section}.${ext.method.method}`, 'balances.transferKeepAlive')

  // an extension whose data we do not know how to fill (an asset-paid tip) is refused
  assert.throws(() => signedExtrinsic({ ...ctx, metadata: { ...ctx.metadata, signedExtensions: [...ctx.metadata.signedExtensions, 'ChargeAssetTxPayment'] } }, alice, 0, call), DevExtrinsicError)
  // metadata-hash checking is signed as disabled: one mode byte (0) more in the extra than without it
  const withHash = signedExtrinsic({ ...ctx, metadata: { ...ctx.metadata, signedExtensions: [...ctx.metadata.signedExtensions, 'CheckMetadataHash'] } }, alice, 0, call)
  assert.equal(withHash.length, xt.length + 1)
})
