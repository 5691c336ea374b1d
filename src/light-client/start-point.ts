// Where a chain followed by the light client starts: a valid saved database, else the chain spec's
// lightSyncState checkpoint, else its raw genesis storage (runtime, GRANDPA set and Aura/BABE parameters
// computed locally, no peer needed); a parachain starts at its saved finalized block or its genesis, and
// follows its relay chain. Also
// the block-production parameters of a runtime (`consensusOf`), asked at genesis and after a warp.

import { Reader, toHex } from '../codec/index.ts'
import { genesisHeaderAsync, genesisStorage, type ChainSpec } from '../chain-spec/index.ts'
import { HEAPPAGES_KEY, MemoryStorage, Runtime } from '../executor/index.ts'
import { headerHash, type Header } from '../header/index.ts'
import { initialGrandpaState, type GrandpaState } from '../finality/index.ts'
import { checkpointStart, decodeAuraAuthorities, decodeBabeConfiguration, decodeBabeEpoch, decodeGrandpaStart, type AuraConsensus, type Consensus } from '../sync/index.ts'
import { ChainAccessError } from '../json-rpc/index.ts'
import { auraKeyScheme } from '../verify/index.ts'
import { DatabaseError, decodeDatabase } from './database.ts'
import { CODE, loadBlockRuntime, type BlockRuntime } from './runtime-service.ts'

/** Slot duration assumed for a checkpoint start until the runtime is known (every BABE relay chain has 6 s). */
export const CHECKPOINT_SLOT_MS = 6000n

/** The trusted block the client starts from, with the consensus state after it. */
export interface StartPoint {
  genesisHash: Uint8Array
  finalized: Header
  grandpa: GrandpaState
  consensus: Consensus
  /** The runtime at `finalized` and its heap pages, when known without the network (genesis). */
  runtime?: BlockRuntime
  /** The genesis state, when the spec holds it: genesis storage and calls are answered from it, no peer needed. */
  genesisState?: MemoryStorage
  /** Peers to dial besides the boot nodes (saved in a database). */
  peers: string[]
  /** For the log: where the start comes from. */
  from: string
  /** A recent start (a saved database): a peer close enough ahead is caught up with block by block, no warp. */
  recent?: boolean
  /** A checkpoint start: when no peer knows the checkpoint, the client may start again from genesis. */
  checkpoint?: boolean
}

/**
 * The block-production parameters of runtime `rt` at a block, through `call` (over genesis storage, or
 * call proofs): Aura's authorities and slot duration, or BABE's configuration and epochs (at genesis, the
 * genesis epoch whose start slot block #1 fixes). `auraScheme` is asked only for Aura chains.
 */
export async function consensusOf(rt: Runtime, call: (method: string) => Promise<Uint8Array>, atGenesis: boolean, auraScheme: () => Promise<AuraConsensus['scheme']>): Promise<Consensus> {
  if (rt.hasExport('AuraApi_authorities')) {
    return { kind: 'aura', authorities: decodeAuraAuthorities(await call('AuraApi_authorities')), slotMs: new Reader(await call('AuraApi_slot_duration')).u64(), scheme: await auraScheme() }
  }
  if (!rt.hasExport('BabeApi_configuration')) throw new ChainAccessError('this light client follows Aura or BABE chains: the runtime has neither AuraApi nor BabeApi')
  const conf = decodeBabeConfiguration(await call('BabeApi_configuration'))
  if (atGenesis) return { kind: 'babe', slotMs: conf.slotMs, epochs: { genesis: conf.genesis } }
  const [current, next] = [decodeBabeEpoch(await call('BabeApi_current_epoch')), decodeBabeEpoch(await call('BabeApi_next_epoch'))]
  return { kind: 'babe', slotMs: conf.slotMs, epochs: { current, next, disabled: [] } }
}

/**
 * The chain's genesis as a start: its runtime, GRANDPA set and Aura/BABE parameters computed from the
 * spec's raw genesis storage (what `sublight verify blocks` verifies from, too).
 */
export async function genesisStart(spec: ChainSpec): Promise<StartPoint> {
  const genesis = await genesisHeaderAsync(spec)
  if (spec.genesis.kind !== 'raw') throw new ChainAccessError('the chain spec has neither the raw genesis storage nor a lightSyncState checkpoint to start from')
  const storage = genesisStorage(spec.genesis)
  const code = storage.get(CODE)
  if (!code) throw new ChainAccessError('the genesis storage has no runtime code')
  const runtime = await loadBlockRuntime(code, storage.get(HEAPPAGES_KEY))
  const rt = runtime.runtime
  const call = async (method: string) => rt.call(method, new Uint8Array(), { storage, heapPages: runtime.heapPages }).output
  if (!rt.hasExport('GrandpaApi_grandpa_authorities')) throw new ChainAccessError('this light client follows chains finalized by GRANDPA: the genesis runtime has no GrandpaApi (a parachain needs its relay chain)')
  const consensus = await consensusOf(rt, call, true, async () => auraKeyScheme(await call('Metadata_metadata')) ?? 'sr25519')
  // runtimes older than GrandpaApi v2 (Westend's of 2019) have no `current_set_id`: genesis is set 0
  const setId = rt.hasExport('GrandpaApi_current_set_id') ? await call('GrandpaApi_current_set_id') : new Uint8Array(8)
  const grandpa = decodeGrandpaStart(setId, await call('GrandpaApi_grandpa_authorities'))
  return { genesisHash: headerHash(genesis), finalized: genesis, grandpa, consensus, runtime, genesisState: storage, peers: [], from: 'genesis' }
}

/** Where to start (see the module comment); `relayName` names the relay chain of a parachain. */
export async function startPoint(spec: ChainSpec, o: { database?: string; parachain?: string; log: (level: number, message: string) => void }): Promise<StartPoint> {
  const genesis = await genesisHeaderAsync(spec)
  const genesisHash = headerHash(genesis)
  if (o.parachain) {
    // a parachain starts at its saved finalized block, or at genesis; its first vouched para head moves it on
    const db = o.database ? await databaseStart(o.database, genesisHash, o.log) : undefined
    if (db && db.consensus.kind === 'relay') return { ...db, from: `${db.from} (parachain ${o.parachain})` }
    if (db) o.log(2, 'ignoring the database content: it is not a parachain\'s')
    const genesisState = spec.genesis.kind === 'raw' ? genesisStorage(spec.genesis) : undefined
    const code = genesisState?.get(CODE)
    const runtime = code ? await loadBlockRuntime(code, genesisState!.get(HEAPPAGES_KEY)) : undefined
    return { genesisHash, finalized: genesis, grandpa: initialGrandpaState(0n, []), consensus: { kind: 'relay' }, runtime, genesisState, peers: [], from: `genesis (parachain ${o.parachain})` }
  }
  if (o.database) {
    const db = await databaseStart(o.database, genesisHash, o.log)
    if (db && db.consensus.kind !== 'relay') return db
    if (db) o.log(2, 'ignoring the database content: it is a parachain\'s')
  }
  if (spec.lightSyncState) {
    const c = checkpointStart(spec.lightSyncState)
    return { genesisHash, finalized: c.finalized, grandpa: c.grandpa, consensus: { kind: 'babe', slotMs: CHECKPOINT_SLOT_MS, epochs: c.babe }, peers: [], from: "the chain spec's checkpoint", checkpoint: true }
  }
  return genesisStart(spec)
}

/** A saved database as a start, or undefined (logged) when it does not decode or names another chain. */
async function databaseStart(content: string, genesisHash: Uint8Array, log: (level: number, message: string) => void): Promise<StartPoint | undefined> {
  let db
  try {
    db = decodeDatabase(content, genesisHash)
  } catch (e) {
    if (!(e instanceof DatabaseError)) throw e
    log(2, `ignoring the database content: ${e.message}`)
    return undefined
  }
  let runtime: BlockRuntime | undefined
  if (db.runtime) {
    try {
      runtime = await loadBlockRuntime(db.runtime.code, db.runtime.heapPages)
    } catch (e) {
      log(2, `ignoring the database's runtime (it is fetched again): ${(e as Error).message}`)
    }
  }
  return { genesisHash, finalized: db.finalized, grandpa: db.grandpa, consensus: db.consensus, runtime, peers: db.peers, from: "the database's finalized block", recent: true }
}

/** For the log: a start point's block. */
export function describeStart(s: StartPoint): string {
  return `${s.from}: #${s.finalized.number} ${toHex(headerHash(s.finalized))}`
}
