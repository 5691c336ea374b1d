// `/transactions/1` from a peer's side: a duplicate or invalid transaction is dropped and the substream
// keeps being read, so the peer's later transactions still reach the pool (smoldot re-gossips the same
// transaction 5 s later: our node used to stop reading that peer after the duplicate). The peer's
// reputation moves as Substrate's does, and it is never banned for it. Transactions are signed by
// @polkadot/api (a library we did not write) against the running devnet.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode, txHash } from '../../src/full-node/index.ts'
import { GenesisChainServer, NetworkHost, REP } from '../../src/network/index.ts'
import { waitFor } from '../support/wait.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

test('a duplicate or invalid gossiped transaction neither ends the substream nor bans the peer', { ...needsFixtures, timeout: 90_000 }, async () => {
  const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
  const node = await DevNode.start({ spec, keys: ['//Alice'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: 0 })
  const peer = await NetworkHost.start({ transports: nodeTransports(), server: new GenesisChainServer(spec), listen: ['/ip4/127.0.0.1/tcp/0'] })
  let api: ApiPromise | undefined
  try {
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${node.rpc!.port}`), noInitWarn: true, throwOnConnect: true })
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
    const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob')
    const sign = async (nonce: number) => (await api!.tx.balances.transferKeepAlive(bob.address, 1_000_000_000n + BigInt(nonce)).signAsync(alice, { nonce, era: 0 })).toU8a()
    const tx0 = await sign(0)
    const tx1 = await sign(1)
    const forged = tx1.slice()
    forged[40] ^= 1 // inside the signature: the runtime says "bad signature"

    await peer.handshakeWith(multiaddr(node.host.addresses()[0]))
    // the first send that reaches the node is the first time our transactions substream is open
    await waitFor(() => peer.gossipTransactions([tx0]).length > 0, 10_000, 'our transactions substream to the node')
    await waitFor(() => node.pool.has(txHash(tx0)), 10_000, 'the first transaction in the pool')
    const afterGood = node.host.reputation(peer.peerId)
    assert.equal(afterGood, REP.GOOD_TRANSACTION.value)

    // the same transaction again (what smoldot does), then a forged one and a new valid one in one message
    peer.gossipTransactions([tx0])
    peer.gossipTransactions([forged, tx1])
    await waitFor(() => node.pool.has(txHash(tx1)), 10_000, 'the transaction sent after a duplicate and an invalid one')
    assert.ok(!node.pool.has(txHash(forged)), 'the forged transaction is not pooled')
    assert.equal(node.host.reputation(peer.peerId), afterGood + REP.BAD_TRANSACTION.value + REP.GOOD_TRANSACTION.value, 'duplicate: no change; forged: bad; new: good')
    assert.ok(!node.host.isBanned(peer.peerId))
    assert.ok(node.host.libp2p.getPeers().some((p) => p.toString() === peer.peerId), 'still connected')
    assert.equal(toHex(node.pool.ready()[1]), toHex(tx1))
  } finally {
    await api?.disconnect()
    await peer.stop()
    await node.stop()
  }
})
