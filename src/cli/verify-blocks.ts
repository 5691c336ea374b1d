// `sublight verify blocks <sync2-response.bin>... --chain <spec.json> [--json]`: verifies blocks from
// `/sync/2` responses (given in chain order; each ascending or descending) from the spec's genesis, as
// the light client does: the genesis runtime's consensus parameters (`genesisStart`), every header through
// `LightSync` (parent link, BABE claim and seal against the genesis epoch and the epoch changes the headers
// carry, or the Aura author's seal), each header against the hash the response gives, each body against
// its extrinsics root, and GRANDPA justifications when the response holds some. Exit 1 names the first
// bad block.

import { toHex } from '../codec/index.ts'
import { parseChainSpec } from '../chain-spec/index.ts'
import { decodeJustification } from '../finality/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { decodeBlockResponse, grandpaJustificationOf, type BlockData } from '../network/index.ts'
import { LightSync } from '../sync/index.ts'
import { babePreDigest } from '../verify/index.ts'
import { genesisStart } from '../light-client/start-point.ts'
import { bodyMatches } from '../light-client/storage.ts'
import { CliError } from './errors.ts'
import { USAGE, parseVerifyArgs, readInput, reason } from './verify-args.ts'

export async function verifyBlocksCommand(args: string[], out: (s: string) => void): Promise<number> {
  const o = parseVerifyArgs(args, ['--chain'])
  const specFile = o.options.get('--chain')
  if (o.files.length === 0 || !specFile) throw new CliError(USAGE)
  const spec = parseChainSpec(new TextDecoder().decode(await readInput(specFile)))
  if (spec.genesis.kind !== 'raw') throw new CliError(`${specFile} has no genesis storage to verify from`)
  const start = await genesisStart(spec)
  const sync = new LightSync(start.finalized, start.grandpa, start.consensus)
  const blocks: BlockData[] = []
  for (const file of o.files) {
    let response: BlockData[]
    try {
      response = decodeBlockResponse(await readInput(file))
    } catch (e) {
      throw new CliError(`${file}: not a sync/2 block response: ${(e as Error).message}`)
    }
    // a response to a descending request lists the newest block first
    const numbers = response.map((d) => (d.header ? decodeHeader(d.header).number : 0))
    blocks.push(...(numbers.length > 1 && numbers[0] > numbers[numbers.length - 1] ? response.reverse() : response))
  }
  const claims = { primary: 0, secondaryPlain: 0, secondaryVrf: 0, aura: 0 }
  let bodies = 0
  let justifications = 0
  let last: { header: Header; hash: Uint8Array } | undefined
  for (const [i, d] of blocks.entries()) {
    const name = () => `block ${i} of the responses (#${header?.number ?? '?'} ${toHex(d.hash)})`
    let header: Header | undefined
    if (!d.header) throw new CliError(`${name()}: the response holds no header`)
    try {
      header = decodeHeader(d.header)
    } catch (e) {
      throw new CliError(`${name()}: the header does not decode: ${(e as Error).message}`)
    }
    const r = sync.insertHeader(header, Date.now())
    if (r.kind === 'invalid') throw new CliError(`${name()}: ${r.reason}`)
    if (r.kind === 'unknownParent') throw new CliError(`${name()}: its parent ${toHex(header.parentHash)} is neither genesis nor a block verified before it`)
    if (r.kind === 'belowFinalized') throw new CliError(`${name()}: at or below genesis`)
    if (r.kind === 'full') throw new CliError(`${name()}: too many blocks without finality in between (the fork tree's bound)`)
    const hash = headerHash(header)
    if (toHex(hash) !== toHex(d.hash)) throw new CliError(`${name()}: the header hashes to ${toHex(hash)}, not the hash the response gives`)
    if (d.body) {
      if (!bodyMatches(d.body, header)) throw new CliError(`${name()}: the body (${d.body.length} extrinsics) does not match the extrinsics root ${toHex(header.extrinsicsRoot)}`)
      bodies++
    }
    let j: Uint8Array | undefined
    try {
      j = grandpaJustificationOf(d)
      if (j) sync.applyJustification(decodeJustification(j))
    } catch (e) {
      throw new CliError(`${name()}: its GRANDPA justification: ${reason(e)}`)
    }
    if (j) justifications++
    if (start.consensus.kind === 'babe') claims[babePreDigest(header).kind]++
    else claims.aura++
    last = { header, hash }
  }
  if (!last) throw new CliError('the responses hold no block')
  const first = blocks[0]
  const summary = {
    verified: blocks.length,
    first: { number: decodeHeader(first.header!).number, hash: toHex(first.hash) },
    last: { number: last.header.number, hash: toHex(last.hash) },
    genesisHash: toHex(start.genesisHash),
    consensus: start.consensus.kind,
    claims: start.consensus.kind === 'babe' ? { primary: claims.primary, secondaryPlain: claims.secondaryPlain, secondaryVrf: claims.secondaryVrf } : { aura: claims.aura },
    bodies,
    justifications,
    finalized: { number: sync.finalized.header.number, hash: toHex(sync.finalized.hash) },
  }
  if (o.json) out(JSON.stringify(summary) + '\n')
  else {
    const seals = start.consensus.kind === 'babe' ? `BABE claims and seals (${claims.primary} primary, ${claims.secondaryPlain} secondary plain, ${claims.secondaryVrf} secondary VRF)` : `Aura seals (${claims.aura})`
    out(
      [
        `verified       ${blocks.length} blocks, #${summary.first.number} to #${summary.last.number} ${summary.last.hash}`,
        `from           genesis ${summary.genesisHash} (${spec.name})`,
        `checked        parent links, ${seals}, header hashes, extrinsics roots of ${bodies} bodies, ${justifications} GRANDPA justifications`,
      ].join('\n') + '\n',
    )
  }
  return 0
}
