// The parts of a runtime's metadata (frame-metadata V14 and V15) that a node needs to build its own
// extrinsics: each pallet's index and its calls' indices by name, and the transaction format's signed
// extensions. The portable type registry is walked only far enough to read the call enums; everything
// else is skipped structurally. Our own decoder: the libraries that decode metadata (@polkadot/types,
// scale-ts with metadata builders) are whole type systems, far more than these few names need. Pure.

import { Reader, decodeAll } from '../codec/index.ts'

/** The metadata magic number "meta", little-endian. */
const MAGIC = 0x6174656d

export interface PalletInfo {
  name: string
  index: number
  /** Call name → call index (the pallet's `Call` enum variants), empty when it has no calls. */
  calls: Map<string, number>
}

export interface RuntimeMetadata {
  version: number
  pallets: Map<string, PalletInfo>
  /** The extrinsic format version (4) and its signed extensions' identifiers, in order. */
  extrinsicVersion: number
  signedExtensions: string[]
}

export class MetadataError extends Error {
  override readonly name = 'MetadataError'
}

type Variants = { name: string; index: number }[]

const strings = (r: Reader) => r.vec((x) => x.str())
const skipFields = (r: Reader) =>
  r.vec((x) => {
    x.option((y) => y.str())
    x.compact()
    x.option((y) => y.str())
    strings(x)
  })

/** One registry entry: its variants when it is an enum (what call types are), skipped otherwise. */
function readTypeDef(r: Reader): Variants | undefined {
  switch (r.variant(8)) {
    case 0: // composite
      skipFields(r)
      return undefined
    case 1: // variant
      return r.vec((x) => {
        const name = x.str()
        skipFields(x)
        const index = x.u8()
        strings(x)
        return { name, index }
      })
    case 2: // sequence
    case 6: // compact
      r.compact()
      return undefined
    case 3: // array
      r.u32()
      r.compact()
      return undefined
    case 4: // tuple
      r.vec((x) => x.compact())
      return undefined
    case 5: // primitive
      r.variant(14)
      return undefined
    default: // bit sequence
      r.compact()
      r.compact()
      return undefined
  }
}

function readStorage(r: Reader): void {
  r.str()
  r.vec((x) => {
    x.str()
    x.u8()
    if (x.variant(2) === 0) x.compact()
    else {
      x.vec((y) => y.variant(7))
      x.compact()
      x.compact()
    }
    x.vecU8()
    strings(x)
  })
}

/**
 * Decodes `Metadata_metadata`'s output (a SCALE `Vec<u8>` around the prefixed metadata) or the bare
 * prefixed metadata. Throws MetadataError for another version or malformed bytes.
 */
export function decodeMetadata(bytes: Uint8Array): RuntimeMetadata {
  const inner = bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === MAGIC ? bytes : tryVec(bytes)
  try {
    return decodeAll(inner, (r) => {
      r.u32()
      const version = r.u8()
      if (version !== 14 && version !== 15) throw new MetadataError(`metadata version ${version} is not supported (14 and 15 are)`)
      const types = new Map<number, Variants | undefined>()
      r.vec((x) => {
        const id = x.compactNumber()
        x.vec((y) => y.str()) // path
        x.vec((y) => {
          y.str()
          y.option((z) => z.compact())
        })
        types.set(id, readTypeDef(x))
        strings(x)
      })
      const pallets = new Map<string, PalletInfo>()
      r.vec((x) => {
        const name = x.str()
        x.option(readStorage)
        const callsType = x.option((y) => y.compactNumber())
        x.option((y) => y.compact()) // events
        x.vec((y) => {
          y.str()
          y.compact()
          y.vecU8()
          strings(y)
        })
        x.option((y) => y.compact()) // errors
        const index = x.u8()
        if (version === 15) strings(x)
        const calls = new Map((callsType === undefined ? [] : (types.get(callsType) ?? [])).map((v) => [v.name, v.index] as const))
        pallets.set(name, { name, index, calls })
      })
      if (version === 14) r.compact() // the extrinsic type
      const extrinsicVersion = r.u8()
      if (version === 15) for (let i = 0; i < 4; i++) r.compact() // address, call, signature, extra types
      const signedExtensions = r.vec((x) => {
        const id = x.str()
        x.compact()
        x.compact()
        return id
      })
      // what follows (the runtime type, V15's APIs, outer enums and custom values) is not needed
      r.bytes_(r.remaining)
      return { version, pallets, extrinsicVersion, signedExtensions }
    })
  } catch (e) {
    if (e instanceof MetadataError) throw e
    throw new MetadataError(`malformed metadata: ${(e as Error).message}`)
  }
}

function tryVec(bytes: Uint8Array): Uint8Array {
  try {
    return decodeAll(bytes, (r) => r.vecU8())
  } catch {
    throw new MetadataError('not metadata: neither the "meta" prefix nor a Vec<u8> holding it')
  }
}

/** `[pallet index, call index]` of `pallet.call`; MetadataError when the runtime has no such call. */
export function callIndex(md: RuntimeMetadata, pallet: string, call: string): [number, number] {
  const p = md.pallets.get(pallet)
  if (!p) throw new MetadataError(`the runtime has no ${pallet} pallet`)
  const c = p.calls.get(call)
  if (c === undefined) throw new MetadataError(`the runtime's ${pallet} pallet has no ${call} call`)
  return [p.index, c]
}
