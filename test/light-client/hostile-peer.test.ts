// Acceptance (hostile peers): next to an honest `sublight dev` node, a peer that serves the same blocks
// but lies in its storage and call proofs (proofs of another state, valid-looking) is banned by the
// light client, whose answers all come from the honest node and equal the node's own values.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { sr25519FromSuri, storageKey } from '../../src/crypto/index.ts'
import { DevNode } from '../../src/full-node/index.ts'
import { GenesisChainServer, NetworkHost, type ChainServer } from '../../src/network/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('a peer serving lying proofs is banned; the answers come from the honest peer', { ...needsFixtures, timeout: 120_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const genesis = new GenesisChainServer(spec)
  // the liar: the devnet's blocks, but every proof is one of the genesis state, whatever block is asked
  const liarServer: ChainServer = {
    genesisHash: dev.chain.genesisHash,
    best: () => dev.chain.best(),
    finalized: () => dev.chain.finalized(),
    blocks: (req, max) => dev.chain.blocks(req, max),
    warpProof: (from) => dev.chain.warpProof(from),
    readProof: (_b, keys) => genesis.readProof(dev.chain.genesisHash, keys),
    readChildProof: () => undefined,
    callProof: (_b, m, a) => genesis.callProof(dev.chain.genesisHash, m, a),
  }
  let liarContacted = false
  const liar = await NetworkHost.start({ transports: nodeTransports(), server: liarServer, listen: ['/ip4/127.0.0.1/tcp/0'], onPeer: () => (liarContacted = true) })
  const client = start({ maxLogLevel: 1, logCallback: () => {} })
  try {
    await waitFor(() => dev.chain.finalized().number >= 1, 60_000, 'the devnet finalizing a block')
    const chain = await addChainWith(client, specText, [dev.host.addresses()[0], liar.addresses()[0]])
    const { rpc, event, events } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [false])).result
    await event((e) => e.event === 'initialized', 'initialized')
    await waitFor(() => liarContacted, 20_000, 'the light client contacting the liar')
    const key = storageKey('System', 'Account', ['Blake2_128Concat', sr25519FromSuri('//Alice').publicKey])
    // System.Number differs at every block from the genesis state the liar proves
    const numberKey = Uint8Array.from(Buffer.from('26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac', 'hex'))
    const hashes = events.filter((e) => e.event === 'newBlock' || e.event === 'initialized').map((e) => e.blockHash ?? e.finalizedBlockHashes[0])
    for (const h of hashes.slice(-3)) {
      const st = (await rpc('chainHead_v1_storage', [sub, h, [{ key: toHex(numberKey), type: 'value' }, { key: toHex(key), type: 'value' }], null])).result
      await event((e) => e.operationId === st.operationId && (e.event === 'operationStorageDone' || e.event === 'operationInaccessible'), 'storage')
      const items = events.filter((e) => e.operationId === st.operationId && e.event === 'operationStorageItems').flatMap((e) => e.items)
      const block = dev.chain.block(Uint8Array.from(Buffer.from(h.slice(2), 'hex')))!
      assert.equal(items.find((i: any) => i.key === toHex(numberKey))?.value, toHex(block.state!.get(numberKey)!), `System.Number at #${block.header.number}`)
    }
    assert.ok(dev.host.libp2p.getPeers().length > 0, 'the honest node still serves')
    // the liar's first proof (the runtime download, or a storage read) got it banned and disconnected
    await waitFor(() => liar.libp2p.getPeers().length === 0, 20_000, 'the liar disconnected')
  } finally {
    await client.terminate().catch(() => {})
    await liar.stop()
    await dev.stop()
  }
})
