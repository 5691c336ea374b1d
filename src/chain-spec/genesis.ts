// The genesis block implied by a chain spec: number 0, zero parent, the state root (computed from raw
// storage with the state version the genesis runtime declares, or taken from `stateRootHash`), the
// empty extrinsics root and an empty digest.

import { bytesEqual, utf8 } from '../codec/index.ts'
import { decompressRuntimeCode, decompressRuntimeCodeAsync, readRuntimeVersionSections, RuntimeCodeError, type RuntimeVersion } from '../executor/runtime-code.ts'
import { MemoryStorage } from '../executor/storage.ts'
import { headerHash, type Header } from '../header/index.ts'
import { EMPTY_TRIE_ROOT, stateRoot, type StateVersion } from '../trie/index.ts'
import type { ChainSpec, RawGenesis } from './chain-spec.ts'
import { ChainSpecError } from './errors.ts'

const CODE_KEY = utf8(':code')

/** Raw genesis storage as a state backend: the main trie and the default child tries. */
export function genesisStorage(genesis: RawGenesis): MemoryStorage {
  return new MemoryStorage(genesis.top, genesis.childrenDefault.map((c) => [c.childKey, c.entries] as const))
}

/** `:code` from raw genesis storage. */
export function genesisCode(genesis: RawGenesis): Uint8Array | undefined {
  return genesis.top.find(([k]) => bytesEqual(k, CODE_KEY))?.[1]
}

/**
 * The genesis runtime's version read from its custom sections (undefined when the spec has no storage
 * or the runtime has no `runtime_version` section; executing `Core_version` then tells).
 */
export function genesisRuntimeVersion(spec: ChainSpec): RuntimeVersion | undefined {
  if (spec.genesis.kind !== 'raw') return undefined
  const code = genesisCode(spec.genesis)
  if (code === undefined) throw new ChainSpecError('MissingField', 'genesis.raw.top[":code"]', 'raw genesis without runtime code')
  try {
    return readRuntimeVersionSections(decompressRuntimeCode(code))
  } catch (e) {
    if (e instanceof RuntimeCodeError) throw new ChainSpecError('BadField', 'genesis.raw.top[":code"]', e.message)
    throw e
  }
}

/**
 * Genesis state root. For raw storage the trie version comes from the runtime's declared state version;
 * runtimes without a `runtime_version` section predate state version 1, so they use version 0.
 */
export function genesisStateRoot(spec: ChainSpec, version?: StateVersion): Uint8Array {
  if (spec.genesis.kind === 'stateRootHash') return spec.genesis.stateRoot
  const v = version ?? genesisRuntimeVersion(spec)?.stateVersion ?? 0
  return stateRoot(
    spec.genesis.top,
    spec.genesis.childrenDefault.map((c) => [c.childKey, c.entries] as const),
    v,
  )
}

/** Genesis headers by spec (computing one decompresses the genesis runtime: ~200 ms for a relay chain's). */
const genesisHeaders = new WeakMap<ChainSpec, Header>()

export function genesisHeader(spec: ChainSpec): Header {
  let h = genesisHeaders.get(spec)
  if (!h) genesisHeaders.set(spec, (h = headerWithRoot(genesisStateRoot(spec))))
  return h
}

/** `genesisHeader`, decompressing the genesis runtime in slices so the event loop keeps running. */
export async function genesisHeaderAsync(spec: ChainSpec): Promise<Header> {
  const cached = genesisHeaders.get(spec)
  if (cached || spec.genesis.kind !== 'raw') return genesisHeader(spec)
  const code = genesisCode(spec.genesis)
  if (code === undefined) throw new ChainSpecError('MissingField', 'genesis.raw.top[":code"]', 'raw genesis without runtime code')
  let version: RuntimeVersion | undefined
  try {
    version = readRuntimeVersionSections(await decompressRuntimeCodeAsync(code))
  } catch (e) {
    if (e instanceof RuntimeCodeError) throw new ChainSpecError('BadField', 'genesis.raw.top[":code"]', e.message)
    throw e
  }
  const h = headerWithRoot(genesisStateRoot(spec, version?.stateVersion ?? 0))
  genesisHeaders.set(spec, h)
  return h
}

function headerWithRoot(stateRoot: Uint8Array): Header {
  return { parentHash: new Uint8Array(32), number: 0, stateRoot, extrinsicsRoot: EMPTY_TRIE_ROOT, digest: [] }
}

export function genesisHash(spec: ChainSpec): Uint8Array {
  return headerHash(genesisHeader(spec))
}
