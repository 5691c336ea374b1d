// A peer that serves a chain with forks, for end-to-end tests of the light client under reorgs (until the
// multi-validator testnet produces them by itself): real node-template blocks (`authorAuraBlock`: the
// real runtime, real Aura seals by Alice or Bob as the slot says, real state roots) on whatever parent
// the test names, announced to peers; finality by real GRANDPA justifications of the whole set (Alice and
// Bob), gossiped as commits and kept for block responses. It answers sync/2 and light/2 (read, child-read
// and call proofs) from each block's state, as the node does; no warp (tests connect it before any block).
import { Reader, Writer, toHex, utf8 } from '../../src/codec/index.ts'
import { ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { genesisHeader, genesisStorage, type ChainSpec } from '../../src/chain-spec/index.ts'
import { headerHash, encodeHeader, type Header } from '../../src/header/index.ts'
import { authorAuraBlock, localJustification, runtimeAt } from '../../src/full-node/index.ts'
import { stateVersionAt } from '../../src/full-node/runtime-apis.ts'
import { BLOCK_BODY, BLOCK_HEADER, BLOCK_JUSTIFICATION, NetworkHost, StateProver, type BlockData, type BlockRequest, type ChainServer } from '../../src/network/index.ts'
import { nodeTransports } from '../../src/platform/node.ts'
import type { MemoryStorage } from '../../src/executor/index.ts'

interface Stored {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  state: MemoryStorage
  prover: StateProver
  justification?: Uint8Array
}

const SLOT_MS = 6000n

export class ForkingPeer implements ChainServer {
  readonly genesisHash: Uint8Array
  readonly genesis: Header
  private readonly byHash = new Map<string, Stored>()
  private bestBlock: Stored
  private finalizedBlock: Stored
  private readonly authors = [sr25519FromSuri('//Alice'), sr25519FromSuri('//Bob')]
  private readonly voters = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
  private readonly set: { setId: bigint; authorities: { publicKey: Uint8Array; weight: bigint }[] }
  private round = 0n
  host!: NetworkHost

  private constructor(spec: ChainSpec) {
    if (spec.genesis.kind !== 'raw') throw new Error('a raw genesis spec is needed')
    const state = genesisStorage(spec.genesis)
    this.genesis = genesisHeader(spec)
    this.genesisHash = headerHash(this.genesis)
    const g = this.store(this.genesis, [], state)
    this.bestBlock = this.finalizedBlock = g
    const out = runtimeAt(state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: state }).output
    this.set = { setId: 0n, authorities: new Reader(out).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })) }
  }

  static async start(spec: ChainSpec): Promise<ForkingPeer> {
    const peer = new ForkingPeer(spec)
    peer.host = await NetworkHost.start({ server: peer, protocolId: spec.protocolId, listen: ['/ip4/127.0.0.1/tcp/0'], transports: nodeTransports(), log: () => {} })
    return peer
  }

  get address(): string {
    return this.host.addresses()[0]
  }

  private store(header: Header, body: Uint8Array[], state: MemoryStorage): Stored {
    const s: Stored = { hash: headerHash(header), header, body, state, prover: new StateProver(state, stateVersionAt(state)) }
    this.byHash.set(toHex(s.hash), s)
    return s
  }

  /**
   * Resolves once our outbound block-announces substream to some peer is open (what `author` announces
   * on): announcing our best block, genesis, until one peer gets it — harmless, as a node announces its
   * best block to a new peer.
   */
  async announcing(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs
    while (this.host.announce(this.bestBlock.header, true) === 0) {
      if (Date.now() > until) throw new Error('no peer opened a block-announces substream')
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** A real block on `parent` at `slot` (authored by the slot's Aura authority), announced; the best block is the longest chain's, first seen. */
  author(parent: Header, slot: bigint): Header {
    const p = this.byHash.get(toHex(headerHash(parent)))
    if (!p) throw new Error('unknown parent')
    const { block, state } = authorAuraBlock({ parent: p.header, parentState: p.state, slot, timestampMs: slot * SLOT_MS, author: this.authors[Number(slot % 2n)] })
    const s = this.store(block.header, block.body, state)
    const isBest = s.header.number > this.bestBlock.header.number
    if (isBest) this.bestBlock = s
    this.host.announce(s.header, isBest)
    return s.header
  }

  /** Finalizes a block with a justification by the whole set, gossiped as a commit and kept for block responses. */
  finalize(header: Header): void {
    const s = this.byHash.get(toHex(headerHash(header)))!
    const { justification, encoded } = localJustification(s.header, ++this.round, this.set, this.voters)
    s.justification = encoded
    this.finalizedBlock = s
    this.host.gossipFinality(justification, this.set.setId)
  }

  best() {
    return { number: this.bestBlock.header.number, hash: this.bestBlock.hash }
  }
  finalized() {
    return { number: this.finalizedBlock.header.number, hash: this.finalizedBlock.hash }
  }

  /** The best chain's block at `number`. */
  private canonical(number: number): Stored | undefined {
    for (let b: Stored | undefined = this.bestBlock; b; b = this.byHash.get(toHex(b.header.parentHash))) if (b.header.number === number) return b
    return undefined
  }

  blocks(req: BlockRequest, maxBlocks: number): BlockData[] {
    let cur = 'hash' in req.from ? this.byHash.get(toHex(req.from.hash)) : this.canonical(req.from.number)
    const out: BlockData[] = []
    while (cur && out.length < Math.min(req.maxBlocks, maxBlocks)) {
      const d: BlockData = { hash: cur.hash }
      if (req.fields & BLOCK_HEADER) d.header = encodeHeader(cur.header)
      if (req.fields & BLOCK_BODY) d.body = cur.body
      if (req.fields & BLOCK_JUSTIFICATION && cur.justification) {
        if (req.supportMultipleJustifications) d.justifications = new Writer().compact(1).bytes(utf8('FRNK')).vecU8(cur.justification).finish()
        else d.justification = cur.justification
      }
      out.push(d)
      cur = req.direction === 'descending' ? this.byHash.get(toHex(cur.header.parentHash)) : this.canonical(cur.header.number + 1)
    }
    return out
  }
  readProof(block: Uint8Array, keys: Uint8Array[]) {
    return this.byHash.get(toHex(block))?.prover.readProof(keys)
  }
  readChildProof(block: Uint8Array, childKey: Uint8Array, keys: Uint8Array[]) {
    return this.byHash.get(toHex(block))?.prover.readChildProof(childKey, keys)
  }
  callProof(block: Uint8Array, method: string, args: Uint8Array) {
    return this.byHash.get(toHex(block))?.prover.callProof(method, args)
  }
  warpProof() {
    return undefined
  }

  stop(): Promise<void> {
    return this.host.stop()
  }
}
