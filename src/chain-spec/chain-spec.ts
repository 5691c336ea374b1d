// Chain-spec JSON parsing (Substrate's `ChainSpec` JSON, raw form): identity, boot nodes (multiaddrs
// with a peer id), telemetry, properties, parachain fields, code substitutes, bad/fork blocks, raw
// genesis storage or its state root, and the `lightSyncState` checkpoint. Every failure is a
// ChainSpecError naming the field; nothing deeper ever escapes. Pure: takes text, returns values.

import { multiaddr } from '@multiformats/multiaddr'
import { DecodeError, HexError, compareBytes, fromHex } from '../codec/index.ts'
import type { Entry } from '../trie/index.ts'
import { ChainSpecError } from './errors.ts'
import {
  decodeBabeEpochChanges,
  decodeFinalizedHeader,
  decodeGrandpaAuthoritySet,
  type LightSyncState,
} from './light-sync-state.ts'
import { RuntimeCodeError } from '../executor/runtime-code.ts'
import { TrieError } from '../trie/index.ts'

export interface BootNode {
  /** The multiaddr as written in the spec. */
  address: string
  /** The peer id from its `/p2p/` component. */
  peerId: string
}

export type RawGenesis = {
  kind: 'raw'
  /** Top-trie entries sorted by key. */
  top: Entry[]
  /** Default child tries: child key (without `:child_storage:default:`) and their sorted entries. */
  childrenDefault: { childKey: Uint8Array; entries: Entry[] }[]
}
export type Genesis = RawGenesis | { kind: 'stateRootHash'; stateRoot: Uint8Array }

export interface ChainSpec {
  name: string
  id: string
  chainType: string
  bootNodes: BootNode[]
  telemetryEndpoints: [url: string, verbosity: number][]
  protocolId: string | undefined
  properties: Record<string, unknown>
  /** Relay chain id, for parachains. */
  relayChain: string | undefined
  paraId: number | undefined
  /** Runtime code to use from a block number on, instead of the on-chain one. */
  codeSubstitutes: { blockNumber: number; code: Uint8Array }[]
  badBlocks: Uint8Array[]
  forkBlocks: { number: number; hash: Uint8Array }[]
  genesis: Genesis
  lightSyncState: LightSyncState | undefined
}

type Json = unknown
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v)

function str(o: Record<string, Json>, k: string, required: true): string
function str(o: Record<string, Json>, k: string, required: false): string | undefined
function str(o: Record<string, Json>, k: string, required: boolean): string | undefined {
  const v = o[k]
  if (v === undefined || v === null) {
    if (required) throw new ChainSpecError('MissingField', k, 'missing')
    return undefined
  }
  if (typeof v !== 'string') throw new ChainSpecError('BadField', k, `expected a string, got ${typeof v}`)
  return v
}

function hex(v: Json, field: string, len?: number): Uint8Array {
  if (typeof v !== 'string') throw new ChainSpecError('BadField', field, 'expected a hex string')
  let b: Uint8Array
  try {
    b = fromHex(v)
  } catch (e) {
    throw new ChainSpecError('BadField', field, (e as HexError).message)
  }
  if (len !== undefined && b.length !== len) throw new ChainSpecError('BadField', field, `expected ${len} bytes, got ${b.length}`)
  return b
}

function storageMap(v: Json, field: string): Entry[] {
  if (!isObj(v)) throw new ChainSpecError('BadField', field, 'expected an object of hex key → hex value')
  const out: Entry[] = []
  for (const [k, val] of Object.entries(v)) out.push([hex(k, `${field} key ${k.slice(0, 20)}`), hex(val, `${field}["${k.slice(0, 20)}"]`)])
  out.sort((a, b) => compareBytes(a[0], b[0]))
  return out
}

function parseBootNode(v: Json, field: string): BootNode {
  if (typeof v !== 'string') throw new ChainSpecError('BadField', field, 'expected a multiaddr string')
  let components: { name: string; value?: string }[]
  try {
    components = multiaddr(v).getComponents()
  } catch (e) {
    throw new ChainSpecError('BadField', field, `invalid multiaddr: ${(e as Error).message}`)
  }
  const p2p = components.filter((c) => c.name === 'p2p')
  if (p2p.length !== 1 || p2p[0].value === undefined) throw new ChainSpecError('BadField', field, 'boot node must end with one /p2p/<peer id>')
  return { address: v, peerId: p2p[0].value }
}

function parseGenesis(v: Json): Genesis {
  if (!isObj(v)) throw new ChainSpecError('MissingField', 'genesis', 'missing or not an object')
  if (v.stateRootHash !== undefined) return { kind: 'stateRootHash', stateRoot: hex(v.stateRootHash, 'genesis.stateRootHash', 32) }
  // `{ raw: { top, childrenDefault } }` as Substrate writes it; some tools (Fruzhin) drop the `raw` level
  const raw = isObj(v.raw) ? v.raw : isObj(v.top) ? v : undefined
  if (raw) {
    const top = storageMap(raw.top, 'genesis.raw.top')
    // an empty array for "no child tries" is what those tools write
    const children = raw.childrenDefault === undefined || (Array.isArray(raw.childrenDefault) && raw.childrenDefault.length === 0) ? {} : raw.childrenDefault
    if (!isObj(children)) throw new ChainSpecError('BadField', 'genesis.raw.childrenDefault', 'expected an object')
    const childrenDefault = Object.entries(children).map(([k, m]) => ({
      childKey: hex(k, `genesis.raw.childrenDefault key ${k.slice(0, 20)}`),
      entries: storageMap(m, `genesis.raw.childrenDefault["${k.slice(0, 20)}"]`),
    }))
    return { kind: 'raw', top, childrenDefault }
  }
  if (v.runtime !== undefined || v.runtimeGenesis !== undefined)
    throw new ChainSpecError('Unsupported', 'genesis', 'non-raw genesis (runtime config) is not supported: export the spec with --raw')
  throw new ChainSpecError('MissingField', 'genesis', 'needs `raw` or `stateRootHash`')
}

function parseLightSyncState(v: Json): LightSyncState | undefined {
  if (v === undefined || v === null) return undefined
  if (!isObj(v)) throw new ChainSpecError('BadField', 'lightSyncState', 'expected an object')
  const field = (k: string) => `lightSyncState.${k}`
  const decode = <T>(k: string, fn: (b: Uint8Array) => T): T => {
    const b = hex(v[k], field(k))
    try {
      return fn(b)
    } catch (e) {
      if (e instanceof DecodeError || e instanceof RangeError) throw new ChainSpecError('BadCheckpoint', field(k), e.message)
      throw e
    }
  }
  const weight = v.babeFinalizedBlockWeight
  if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight < 0) throw new ChainSpecError('BadField', field('babeFinalizedBlockWeight'), 'expected a non-negative integer')
  return {
    finalizedBlockHeader: decode('finalizedBlockHeader', decodeFinalizedHeader),
    babeEpochChanges: decode('babeEpochChanges', decodeBabeEpochChanges),
    babeFinalizedBlockWeight: weight,
    grandpaAuthoritySet: decode('grandpaAuthoritySet', decodeGrandpaAuthoritySet),
  }
}

/** Parses a chain spec from its JSON text. Throws ChainSpecError (with `field`) on any problem. */
export function parseChainSpec(jsonText: string): ChainSpec {
  if (typeof jsonText !== 'string') throw new TypeError('jsonText must be a string')
  let j: Json
  try {
    j = JSON.parse(jsonText)
  } catch (e) {
    throw new ChainSpecError('BadJson', '(root)', `not valid JSON: ${(e as Error).message}`)
  }
  if (!isObj(j)) throw new ChainSpecError('BadJson', '(root)', 'expected a JSON object')
  try {
    const bootNodesRaw = j.bootNodes ?? []
    if (!Array.isArray(bootNodesRaw)) throw new ChainSpecError('BadField', 'bootNodes', 'expected an array')
    const telemetryRaw = j.telemetryEndpoints ?? []
    if (!Array.isArray(telemetryRaw)) throw new ChainSpecError('BadField', 'telemetryEndpoints', 'expected an array')
    const telemetryEndpoints = telemetryRaw.map((t, i): [string, number] => {
      if (!Array.isArray(t) || typeof t[0] !== 'string' || typeof t[1] !== 'number') throw new ChainSpecError('BadField', `telemetryEndpoints[${i}]`, 'expected [url, verbosity]')
      return [t[0], t[1]]
    })
    const properties = j.properties ?? {}
    if (!isObj(properties)) throw new ChainSpecError('BadField', 'properties', 'expected an object')
    const relayChain = str(j, 'relay_chain', false) ?? str(j, 'relayChain', false)
    const paraIdRaw = j.para_id ?? j.paraId
    if (paraIdRaw !== undefined && (typeof paraIdRaw !== 'number' || !Number.isInteger(paraIdRaw) || paraIdRaw < 0 || paraIdRaw > 0xffffffff))
      throw new ChainSpecError('BadField', j.para_id !== undefined ? 'para_id' : 'paraId', 'expected a u32')
    if ((relayChain === undefined) !== (paraIdRaw === undefined)) throw new ChainSpecError('BadField', relayChain === undefined ? 'relay_chain' : 'para_id', 'relay chain and para id go together')
    const subs = j.codeSubstitutes ?? {}
    if (!isObj(subs)) throw new ChainSpecError('BadField', 'codeSubstitutes', 'expected an object of block number → hex code')
    const codeSubstitutes = Object.entries(subs).map(([n, code]) => {
      if (!/^\d+$/.test(n)) throw new ChainSpecError('BadField', `codeSubstitutes["${n}"]`, 'key must be a block number')
      return { blockNumber: Number(n), code: hex(code, `codeSubstitutes["${n}"]`) }
    })
    const bad = j.badBlocks ?? []
    if (!Array.isArray(bad)) throw new ChainSpecError('BadField', 'badBlocks', 'expected an array of block hashes')
    const fork = j.forkBlocks ?? []
    if (!Array.isArray(fork)) throw new ChainSpecError('BadField', 'forkBlocks', 'expected an array of [number, hash]')
    return {
      name: str(j, 'name', true),
      id: str(j, 'id', true),
      chainType: str(j, 'chainType', false) ?? 'Live',
      bootNodes: bootNodesRaw.map((b, i) => parseBootNode(b, `bootNodes[${i}]`)),
      telemetryEndpoints,
      protocolId: str(j, 'protocolId', false),
      properties,
      relayChain,
      paraId: paraIdRaw as number | undefined,
      codeSubstitutes,
      badBlocks: bad.map((h, i) => hex(h, `badBlocks[${i}]`, 32)),
      forkBlocks: fork.map((f, i) => {
        if (!Array.isArray(f) || typeof f[0] !== 'number') throw new ChainSpecError('BadField', `forkBlocks[${i}]`, 'expected [number, hash]')
        return { number: f[0], hash: hex(f[1], `forkBlocks[${i}][1]`, 32) }
      }),
      genesis: parseGenesis(j.genesis),
      lightSyncState: parseLightSyncState(j.lightSyncState),
    }
  } catch (e) {
    if (e instanceof ChainSpecError) throw e
    // Anything else from deep inside is still a spec problem, never a crash: report it as such.
    if (e instanceof DecodeError || e instanceof HexError || e instanceof RuntimeCodeError || e instanceof TrieError || e instanceof RangeError)
      throw new ChainSpecError('BadField', '(unknown)', e.message)
    throw e
  }
}
