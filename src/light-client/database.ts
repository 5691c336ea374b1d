// The light client's finalized database (`chainHead_unstable_finalizedDatabase`, given back as
// `addChain`'s `databaseContent`): everything needed to restart from a finalized block instead of the
// chain spec's start — that block's header, the GRANDPA state in force after it (set, authorities and
// changes still pending), the Aura parameters or BABE epochs for its children, the runtime in force there
// (its `:code` and heap pages, as smoldot keeps it: a restart needs no multi-megabyte download, and a call
// proof, which never holds `:code`, can be run at once) — plus addresses of peers that served us. A
// parachain's holds its finalized block (the para head its relay chain finalized), runtime and peers, with
// consensus `relay` and no GRANDPA set: its relay chain goes on vouching for its blocks. Pure: encode to a JSON string, decode with a typed error for anything malformed. Like smoldot's,
// the content is trusted input (the user's own saved state); what it cannot be is silently wrong:
// a string that does not decode, or names another chain, is refused here and ignored by the caller.

import { fromHex, toHex } from '../codec/index.ts'
import { decodeHeader, encodeHeader, headerHash, type Header } from '../header/index.ts'
import type { GrandpaState } from '../finality/index.ts'
import type { BabeEpoch } from '../chain-spec/index.ts'
import type { BabeAllowedSlots } from '../header/index.ts'
import type { AuraConsensus, BabeConsensus, BabeStart, RelayVouched } from '../sync/index.ts'

const FORMAT = 'sublight-finalized-db'
const VERSION = 1

export interface FinalizedDatabase {
  genesisHash: Uint8Array
  finalized: Header
  grandpa: GrandpaState
  /** A parachain's is `relay`: its blocks are vouched for by its relay chain (and `grandpa` has no authorities). */
  consensus: AuraConsensus | BabeConsensus | RelayVouched
  /** Multiaddresses with `/p2p/<peer id>`. */
  peers: string[]
  /** The runtime at `finalized`: its `:code` value and heap pages (absent: fetched from peers at start). */
  runtime?: { code: Uint8Array; heapPages: number }
}

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError'
}

const authorityJson = (a: { publicKey: Uint8Array; weight: bigint }) => [toHex(a.publicKey), a.weight.toString()]
const epochJson = (e: Omit<BabeEpoch, 'startSlot'> & { startSlot?: bigint }) => ({
  epochIndex: e.epochIndex.toString(),
  ...(e.startSlot !== undefined ? { startSlot: e.startSlot.toString() } : {}),
  duration: e.duration.toString(),
  authorities: e.authorities.map(authorityJson),
  randomness: toHex(e.randomness),
  c: e.config.c.map(String),
  allowedSlots: e.config.allowedSlots,
})
function consensusJson(c: FinalizedDatabase['consensus']) {
  if (c.kind === 'relay') return { kind: 'relay' }
  if (c.kind === 'aura') return { kind: 'aura', authorities: c.authorities.map(toHex), slotMs: c.slotMs.toString(), scheme: c.scheme }
  const e = c.epochs
  const epochs = 'genesis' in e ? { genesis: epochJson(e.genesis) } : { current: epochJson(e.current), next: e.next ? epochJson(e.next) : null, disabled: e.disabled }
  return { kind: 'babe', slotMs: c.slotMs.toString(), ...epochs }
}

/**
 * The database as a string of at most `maxSize` characters (UTF-16 code units; the string is ASCII, so
 * also bytes): the runtime is dropped first, then peers; if even the chain state does not fit, the
 * result is empty.
 */
export function encodeDatabase(db: FinalizedDatabase, maxSize = Number.MAX_SAFE_INTEGER): string {
  const g = db.grandpa
  let runtime = db.runtime
  const body = (peers: string[]) =>
    JSON.stringify({
      format: FORMAT,
      version: VERSION,
      genesisHash: toHex(db.genesisHash),
      finalizedHeader: toHex(encodeHeader(db.finalized)),
      grandpa: {
        setId: g.setId.toString(),
        authorities: g.authorities.map(authorityJson),
        pending: g.pending.map((p) => ({ effectiveAt: p.effectiveAt, authorities: p.authorities.map(authorityJson), forced: p.forced })),
        disabled: g.disabled.map(String),
        pausedAt: g.pausedAt ?? null,
      },
      consensus: consensusJson(db.consensus),
      peers,
      ...(runtime ? { runtime: { code: toHex(runtime.code), heapPages: runtime.heapPages } } : {}),
    })
  let peers = db.peers
  let text = body(peers)
  if (text.length > maxSize && runtime) {
    runtime = undefined
    text = body(peers)
  }
  while (text.length > maxSize && peers.length) {
    peers = peers.slice(0, Math.floor(peers.length / 2))
    text = body(peers)
  }
  return text.length > maxSize ? '' : text
}

function fail(what: string): never {
  throw new DatabaseError(`database content: ${what}`)
}
const obj = (v: unknown, what: string): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`${what} must be an object`))
const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} must be an array`))
const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`${what} must be a string`))
const bytes = (v: unknown, what: string, len?: number): Uint8Array => {
  let b: Uint8Array
  try {
    b = fromHex(str(v, what))
  } catch {
    fail(`${what} must be hex`)
  }
  if (len !== undefined && b.length !== len) fail(`${what} must be ${len} bytes`)
  return b
}
const big = (v: unknown, what: string): bigint => {
  const n = /^\d{1,20}$/.test(str(v, what)) ? BigInt(v as string) : fail(`${what} must be a decimal number`)
  return n <= 0xffff_ffff_ffff_ffffn ? n : fail(`${what} does not fit a u64`)
}
const num = (v: unknown, what: string): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(`${what} must be a block number`))
const authorities = (v: unknown, what: string) =>
  arr(v, what).map((a, i) => {
    const [k, w] = arr(a, `${what}[${i}]`)
    return { publicKey: bytes(k, `${what}[${i}] key`, 32), weight: big(w, `${what}[${i}] weight`) }
  })

/** Decodes a database string; `genesisHash` must be the chain's (a database of another chain is refused). */
export function decodeDatabase(text: string, genesisHash: Uint8Array): FinalizedDatabase {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    fail('not JSON')
  }
  const o = obj(json, 'the content')
  if (o.format !== FORMAT || o.version !== VERSION) fail(`not a ${FORMAT} version ${VERSION}`)
  const genesis = bytes(o.genesisHash, 'genesisHash', 32)
  if (toHex(genesis) !== toHex(genesisHash)) fail(`it belongs to another chain (genesis ${toHex(genesis)})`)
  let finalized: Header
  try {
    finalized = decodeHeader(bytes(o.finalizedHeader, 'finalizedHeader'))
  } catch (e) {
    if (e instanceof DatabaseError) throw e
    fail(`finalizedHeader: ${(e as Error).message}`)
  }
  if (finalized.number === 0 && toHex(headerHash(finalized)) !== toHex(genesisHash)) fail('its block #0 is not the genesis block')
  const g = obj(o.grandpa, 'grandpa')
  const pausedAt = g.pausedAt === null ? undefined : num(g.pausedAt, 'grandpa.pausedAt')
  const grandpa: GrandpaState = {
    setId: big(g.setId, 'grandpa.setId'),
    authorities: authorities(g.authorities, 'grandpa.authorities'),
    pending: arr(g.pending, 'grandpa.pending').map((p, i) => {
      const c = obj(p, `grandpa.pending[${i}]`)
      if (typeof c.forced !== 'boolean') fail(`grandpa.pending[${i}].forced must be a boolean`)
      return { effectiveAt: num(c.effectiveAt, `grandpa.pending[${i}].effectiveAt`), authorities: authorities(c.authorities, `grandpa.pending[${i}].authorities`), forced: c.forced }
    }),
    disabled: arr(g.disabled, 'grandpa.disabled').map((d, i) => big(d, `grandpa.disabled[${i}]`)),
    pausedAt,
  }
  const consensus = decodeConsensus(obj(o.consensus, 'consensus'))
  // a parachain has no GRANDPA set (its relay chain finalizes it)
  if (!grandpa.authorities.length && consensus.kind !== 'relay') fail('grandpa.authorities is empty')
  const peers = arr(o.peers, 'peers').map((p, i) => str(p, `peers[${i}]`))
  let runtime: FinalizedDatabase['runtime']
  if (o.runtime !== undefined) {
    const r = obj(o.runtime, 'runtime')
    runtime = { code: bytes(r.code, 'runtime.code'), heapPages: Number.isSafeInteger(r.heapPages) && (r.heapPages as number) >= 0 && (r.heapPages as number) <= 0xffff_ffff ? (r.heapPages as number) : fail('runtime.heapPages must be a number of pages') }
    if (runtime.code.length === 0) fail('runtime.code is empty')
  }
  return { genesisHash: genesis, finalized, grandpa, consensus, peers, ...(runtime ? { runtime } : {}) }
}

const ALLOWED: BabeAllowedSlots[] = ['primary', 'primaryAndSecondaryPlain', 'primaryAndSecondaryVrf']

function decodeEpoch(v: unknown, what: string, withStart: boolean): Omit<BabeEpoch, 'startSlot'> & { startSlot?: bigint } {
  const e = obj(v, what)
  const c = arr(e.c, `${what}.c`)
  if (c.length !== 2) fail(`${what}.c must be two numbers`)
  if (!ALLOWED.includes(e.allowedSlots as BabeAllowedSlots)) fail(`${what}.allowedSlots must be one of ${ALLOWED.join(', ')}`)
  const duration = big(e.duration, `${what}.duration`)
  if (duration === 0n) fail(`${what}.duration must not be 0`)
  return {
    epochIndex: big(e.epochIndex, `${what}.epochIndex`),
    ...(withStart ? { startSlot: big(e.startSlot, `${what}.startSlot`) } : {}),
    duration,
    authorities: authorities(e.authorities, `${what}.authorities`),
    randomness: bytes(e.randomness, `${what}.randomness`, 32),
    config: { c: [big(c[0], `${what}.c[0]`), big(c[1], `${what}.c[1]`)], allowedSlots: e.allowedSlots as BabeAllowedSlots },
  }
}

function decodeConsensus(a: Record<string, unknown>): FinalizedDatabase['consensus'] {
  if (a.kind === 'relay') return { kind: 'relay' }
  const slotMs = big(a.slotMs, 'consensus.slotMs')
  if (slotMs === 0n) fail('consensus.slotMs must not be 0')
  if (a.kind === 'aura') {
    if (a.scheme !== 'sr25519' && a.scheme !== 'ed25519') fail('consensus.scheme must be sr25519 or ed25519')
    return { kind: 'aura', authorities: arr(a.authorities, 'consensus.authorities').map((k, i) => bytes(k, `consensus.authorities[${i}]`, 32)), slotMs, scheme: a.scheme }
  }
  if (a.kind !== 'babe') fail('consensus.kind must be aura, babe or relay')
  let epochs: BabeStart
  if (a.genesis !== undefined) epochs = { genesis: decodeEpoch(a.genesis, 'consensus.genesis', false) }
  else {
    const current = decodeEpoch(a.current, 'consensus.current', true) as BabeEpoch
    const next = a.next === null ? undefined : (decodeEpoch(a.next, 'consensus.next', true) as BabeEpoch)
    const disabled = arr(a.disabled, 'consensus.disabled').map((d, i) => (Number.isSafeInteger(d) && (d as number) >= 0 ? (d as number) : fail(`consensus.disabled[${i}] must be an authority index`)))
    epochs = { current, next, disabled }
  }
  return { kind: 'babe', slotMs, epochs }
}
