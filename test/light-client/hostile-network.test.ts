// Acceptance (hostile peers, network side): next to an honest `sublight dev` node, peers that
//  - serve a forged warp proof (one precommit signature flipped),
//  - announce a header with a bad seal,
//  - answer proofs with garbage bytes,
//  - go silent on call requests (never answer),
// are banned (the first three) or skipped after the request timeout (the silent one), nothing they sent
// is accepted, and every answer the client gives is the honest node's. Peers are added with
// `sudo_unstable_p2pDiscover`, liars last, so that the client asks them first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { DevNode, runtimeAt } from '../../src/full-node/index.ts'
import { decodeWarpProof, encodeWarpProof } from '../../src/finality/index.ts'
import { headerHash, type Header } from '../../src/header/index.ts'
import { NetworkHost, type ChainServer } from '../../src/network/index.ts'
import { start } from '../../src/light-client/index.ts'
import { addChainWith, session, waitFor } from '../support/light-client.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'
import { nodeTransports } from '../../src/platform/node.ts'

const NUMBER_KEY = '0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac'

test('forged warp proof, bad seal, garbage proofs and a silent peer: liars banned or skipped, answers from the honest node', { ...needsFixtures, timeout: 180_000 }, async () => {
  const specText = readFixtureText('chain-specs', 'node-template.json')
  const spec = parseChainSpec(specText)
  const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
  const honest = (over: Partial<ChainServer>): ChainServer => ({
    genesisHash: dev.chain.genesisHash,
    best: () => dev.chain.best(),
    finalized: () => dev.chain.finalized(),
    blocks: (req, max) => dev.chain.blocks(req, max),
    warpProof: (from) => dev.chain.warpProof(from),
    readProof: (b, keys) => dev.chain.readProof(b, keys),
    readChildProof: () => undefined,
    callProof: (b, m, a) => dev.chain.callProof(b, m, a),
    ...over,
  })
  const asked = { warp: 0, garbage: 0, silent: 0 }
  const forgedWarp = honest({
    warpProof: (from) => {
      asked.warp++
      const bytes = dev.chain.warpProof(from)
      if (!bytes) return undefined
      const proof = decodeWarpProof(bytes)
      const sig = proof.fragments[proof.fragments.length - 1].justification.precommits[0].signature
      sig[5] ^= 1
      return encodeWarpProof(proof)
    },
  })
  const garbage = honest({
    readProof: () => (asked.garbage++, Uint8Array.from({ length: 97 }, (_, i) => (i * 37) & 0xff)),
    callProof: async () => (asked.garbage++, Uint8Array.from({ length: 97 }, (_, i) => (i * 41) & 0xff)),
  })
  const silent = honest({
    callProof: () => (asked.silent++, new Promise<undefined>(() => {})),
  })
  const hosts = {
    warp: await NetworkHost.start({ transports: nodeTransports(), server: forgedWarp, listen: ['/ip4/127.0.0.1/tcp/0'] }),
    seal: await NetworkHost.start({ transports: nodeTransports(), server: honest({}), listen: ['/ip4/127.0.0.1/tcp/0'] }),
    garbage: await NetworkHost.start({ transports: nodeTransports(), server: garbage, listen: ['/ip4/127.0.0.1/tcp/0'] }),
    silent: await NetworkHost.start({ transports: nodeTransports(), server: silent, listen: ['/ip4/127.0.0.1/tcp/0'] }),
  }
  // the liars that serve the honest chain announce its blocks, as any peer does: a client routes a request
  // at a block to the peers that said they have it (without this, whether a liar was asked at the latest
  // block depended on the height it had when it connected)
  const stopAnnouncing = dev.chain.onEvent((e) => {
    if (e.kind === 'block') for (const h of [hosts.garbage, hosts.silent]) h.announce(e.header, true)
  })
  const logs: string[] = []
  const client = start({ maxLogLevel: 3, logCallback: (_l, _t, m) => void logs.push(m) })
  try {
    await waitFor(() => dev.chain.finalized().number >= 2, 60_000, 'the devnet finalizing blocks')
    // the forged-warp peer alone first: its proof is refused and it is banned
    const chain = await addChainWith(client, specText, [hosts.warp.addresses()[0]])
    const { rpc, event, events } = session(chain)
    const sub = (await rpc('chainHead_v1_follow', [true])).result as string
    await waitFor(() => asked.warp > 0 && hosts.warp.libp2p.getPeers().length === 0, 30_000, 'the forged-warp peer banned')
    assert.ok(logs.some((l) => /banning .*bad warp proof/.test(l)), logs.join('\n'))
    // then the honest node and the other liars, liars last (asked first)
    // (each connected before the next is added: the client asks its most recent peers first)
    for (const h of [dev.host, hosts.seal, hosts.garbage, hosts.silent]) {
      assert.equal((await rpc('sudo_unstable_p2pDiscover', [h.addresses()[0]])).result, null)
      await waitFor(() => h.libp2p.getPeers().length > 0, 20_000, 'the discovered peer connected')
    }
    assert.equal((await rpc('sudo_unstable_p2pDiscover', ['/ip4/127.0.0.1/tcp/1'])).error.code, -32602)
    const init = await event((e) => e.event === 'initialized', 'initialized')
    const initHash = init.finalizedBlockHashes[0]
    assert.ok(initHash === toHex(dev.chain.genesisHash) || dev.chain.block(Uint8Array.from(Buffer.from(initHash.slice(2), 'hex'))), 'initialized at a block of the honest chain')

    // a header with a bad seal, announced on top of the honest best block
    await waitFor(() => events.some((e) => e.event === 'newBlock'), 30_000, 'a new block')
    // forged from the devnet's latest block each time (finality trails it by one, so the forgery is always
    // above the client's finalized block and must be judged, not ignored as old)
    const forgedHashes = new Set<string>()
    const forgeBest = (): Header => {
      const best = dev.chain.bestBlock.header
      const forged: Header = { ...best, digest: best.digest.map((d) => (d.type === 'seal' ? { ...d, payload: d.payload.map((b, i) => (i === 3 ? b ^ 1 : b)) } : d)) }
      forgedHashes.add(toHex(headerHash(forged)))
      return forged
    }
    await waitFor(() => (hosts.seal.announce(forgeBest(), true), hosts.seal.libp2p.getPeers().length === 0), 20_000, () => `the bad-seal peer banned: ${logs.slice(-20).join(' | ')}`)
    assert.ok(logs.some((l) => /banning .*BadSignature: the seal/.test(l)), logs.join('\n'))
    assert.ok(!events.some((e) => forgedHashes.has(e.blockHash)), 'no forged header ever reported')

    // reads and calls: the silent peer does not answer, so after a few seconds the next peer is asked as
    // well; the garbage peer is banned at its first proof
    const at = events.filter((e) => e.event === 'newBlock').at(-1).blockHash as string
    const block = dev.chain.block(Uint8Array.from(Buffer.from(at.slice(2), 'hex')))!
    const st = (await rpc('chainHead_v1_storage', [sub, at, [{ key: NUMBER_KEY, type: 'value' }], null])).result
    await event((e) => e.operationId === st.operationId && e.event === 'operationStorageDone', 'storage done')
    const items = events.filter((e) => e.operationId === st.operationId && e.event === 'operationStorageItems').flatMap((e) => e.items)
    assert.deepEqual(items, [{ key: NUMBER_KEY, value: toHex(block.state!.get(Uint8Array.from(Buffer.from(NUMBER_KEY.slice(2), 'hex')))!) }])
    // each request asks the peers in turn from a different one: four calls reach every peer left first once
    const expected = toHex(runtimeAt(block.state!).call('Core_version', new Uint8Array(), { storage: block.state! }).output)
    for (let i = 0; i < 4; i++) {
      const call = (await rpc('chainHead_v1_call', [sub, at, 'Core_version', '0x'])).result
      const done = await event((e) => e.operationId === call.operationId, 'call done')
      assert.equal(done.event, 'operationCallDone', JSON.stringify(done))
      assert.equal(done.output, expected)
    }
    assert.ok(asked.garbage > 0, 'the garbage peer was asked')
    await waitFor(() => hosts.garbage.libp2p.getPeers().length === 0, 10_000, 'the garbage peer banned')
    assert.ok(asked.silent > 0, 'the silent peer was asked (and the call moved on to another peer)')
    // the answer did not wait for the silent peer's request to time out: another peer was asked meanwhile
    assert.ok(!logs.some((l) => /^call from .*no answer within/.test(l)), `no call waited for a timeout:\n${logs.join('\n')}`)
    assert.ok(hosts.silent.libp2p.getPeers().length > 0, 'a silent peer is not banned for one timeout')
    assert.ok(dev.host.libp2p.getPeers().length > 0, 'the honest node still serves')
  } finally {
    stopAnnouncing()
    await client.terminate().catch(() => {})
    for (const h of Object.values(hosts)) await h.stop()
    await dev.stop()
  }
})
