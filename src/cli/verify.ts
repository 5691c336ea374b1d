// `sublight verify …`: the light client's verification, on data a user brings — for people who debug
// chains and bridges. Each prints what it checked (or one JSON object with `--json`), or exits 1 with the
// precise reason. The same code paths the light client runs, not copies:
//   checkpoint <spec.json>                                      BABE claim and seal of a spec's checkpoint
//   justification <file.bin | 0xhex> --authorities <keys.json> --set-id <n>   a GRANDPA justification
//   warp <proof.bin>... --authorities <keys.json> --set-id <n>  a warp proof (`WarpSync`, fragment by fragment)
//   blocks <sync2-response.bin>... --chain <spec.json>          blocks from genesis (`LightSync`, bodies)

import { HexError, fromHex, toHex } from '../codec/index.ts'
import { parseChainSpec } from '../chain-spec/index.ts'
import { BabeVerifyError, checkpointState, verifyCheckpoint } from '../verify/index.ts'
import { decodeJustification, decodeWarpProof, verifyJustification, type AuthoritySet } from '../finality/index.ts'
import { CliError } from './errors.ts'
import { USAGE, parseVerifyArgs, readInput, reason, type VerifyArgs } from './verify-args.ts'

/** Bytes from `0xhex` on the command line, or from a file (binary, or text holding 0xhex). */
async function bytesArg(arg: string): Promise<Uint8Array> {
  const hex = (s: string) => {
    try {
      return fromHex(s.trim())
    } catch (e) {
      if (e instanceof HexError) throw new CliError(`not valid hex: ${e.message}`)
      throw e
    }
  }
  if (arg.startsWith('0x')) return hex(arg)
  const b = await readInput(arg)
  return b[0] === 0x30 && b[1] === 0x78 ? hex(new TextDecoder().decode(b)) : b
}

/**
 * The authority set from `--authorities <keys.json>` and `--set-id <n>`: keys.json is a JSON array of
 * 0x ed25519 keys (weight 1), of `[key, weight]` pairs, or of `{ id, weight }` objects.
 */
async function authoritySet(o: VerifyArgs): Promise<AuthoritySet> {
  const file = o.options.get('--authorities')
  const id = o.options.get('--set-id')
  if (!file || id === undefined) throw new CliError(`--authorities and --set-id are required\n${USAGE}`)
  if (!/^\d+$/.test(id)) throw new CliError(`--set-id: ${id} is not a set id (a number)`)
  let list: unknown
  try {
    list = JSON.parse(new TextDecoder().decode(await readInput(file)))
  } catch (e) {
    if (e instanceof CliError) throw e
    throw new CliError(`${file}: not JSON (${(e as Error).message})`)
  }
  if (!Array.isArray(list) || list.length === 0) throw new CliError(`${file}: expected a non-empty JSON array of keys`)
  const authorities = list.map((entry, i) => {
    const [key, weight] = Array.isArray(entry) ? entry : typeof entry === 'object' && entry !== null ? [(entry as { id?: unknown }).id, (entry as { weight?: unknown }).weight] : [entry, 1]
    let publicKey: Uint8Array
    try {
      publicKey = fromHex(String(key))
    } catch {
      throw new CliError(`${file}: entry ${i} is not a 0x key`)
    }
    if (publicKey.length !== 32) throw new CliError(`${file}: entry ${i} is not a 32-byte ed25519 key`)
    if (!(typeof weight === 'number' || typeof weight === 'string') || !/^\d+$/.test(String(weight)) || BigInt(weight) === 0n) throw new CliError(`${file}: entry ${i} has no positive integer weight`)
    return { publicKey, weight: BigInt(weight) }
  })
  return { setId: BigInt(id), authorities }
}

async function verifyJustificationCommand(args: string[], out: (s: string) => void): Promise<number> {
  const o = parseVerifyArgs(args, ['--authorities', '--set-id'])
  if (o.files.length !== 1) throw new CliError(USAGE)
  const set = await authoritySet(o)
  const bytes = await bytesArg(o.files[0])
  let j
  try {
    j = decodeJustification(bytes)
  } catch (e) {
    throw new CliError(`the justification does not decode: ${reason(e)}`)
  }
  let r
  try {
    r = verifyJustification(j, set)
  } catch (e) {
    throw new CliError(`the justification of #${j.targetNumber} ${toHex(j.targetHash)} does not verify against set ${set.setId}: ${reason(e)}`)
  }
  const summary = { target: { number: r.number, hash: toHex(r.hash) }, round: Number(j.round), setId: Number(set.setId), signers: j.precommits.length, authorities: set.authorities.length, weight: Number(r.weight), threshold: Number(r.threshold), total: Number(r.total), votesAncestries: j.votesAncestries.length }
  if (o.json) out(JSON.stringify(summary) + '\n')
  else
    out(
      [
        `target         #${r.number} ${toHex(r.hash)}`,
        `round          ${j.round}`,
        `set id         ${set.setId}`,
        `signers        ${j.precommits.length} of ${set.authorities.length} authorities`,
        `weight         ${r.weight} of ${r.total} (threshold ${r.threshold})`,
        `verified       every precommit signature, every signer in the set, each once, the weight at or above the threshold`,
      ].join('\n') + '\n',
    )
  return 0
}

async function verifyWarpCommand(args: string[], out: (s: string) => void): Promise<number> {
  const o = parseVerifyArgs(args, ['--authorities', '--set-id'])
  if (o.files.length === 0) throw new CliError(USAGE)
  const start = await authoritySet(o)
  const { WarpSync } = await import('../sync/warp.ts')
  const w = new WarpSync({ number: 0, hash: new Uint8Array(32) }, start)
  const fragments: { index: number; number: number; hash: string; setId: number; precommits: number; nextSetId: number | null }[] = []
  for (const file of o.files) {
    let proof
    try {
      proof = decodeWarpProof(await readInput(file))
      w.addResponse(proof)
    } catch (e) {
      throw new CliError(`${file}: not a warp proof: ${reason(e)}`)
    }
    for (const f of proof.fragments) {
      const [index, setId] = [w.verifiedCount, w.setId]
      try {
        w.verifyNext()
      } catch (e) {
        throw new CliError(`fragment ${index} (#${f.header.number}) does not verify against set ${setId}: ${reason(e)}`)
      }
      fragments.push({ index, number: f.header.number, hash: toHex(f.justification.targetHash), setId: Number(setId), precommits: f.justification.precommits.length, nextSetId: w.setId === setId ? null : Number(w.setId) })
    }
  }
  const setId = w.setId
  const last = fragments.at(-1)
  const finished = !w.needsMore
  if (o.json) out(JSON.stringify({ fragments, finalized: last ? { number: last.number, hash: last.hash } : null, setId: Number(setId), isFinished: finished }) + '\n')
  else {
    const lines = fragments.map((f) => `fragment ${String(f.index).padEnd(5)} #${f.number} ${f.hash}  set ${f.setId}, ${f.precommits} precommits${f.nextSetId === null ? '' : ` → set ${f.nextSetId}`}`)
    lines.push(last ? `finalized      #${last.number} ${last.hash}` : 'finalized      nothing (an empty proof)', `set id         ${setId} (in force after it)`, `finished       ${finished ? 'yes' : `no (the next request starts from #${last?.number})`}`)
    out(lines.join('\n') + '\n')
  }
  return 0
}

async function verifyCheckpointCommand(args: string[], out: (s: string) => void): Promise<number> {
  if (args.length !== 1) throw new CliError(USAGE)
  const spec = parseChainSpec(new TextDecoder().decode(await readInput(args[0])))
  if (!spec.lightSyncState) throw new CliError(`${args[0]} has no checkpoint (lightSyncState)`)
  const state = checkpointState(spec.lightSyncState)
  let r
  try {
    r = verifyCheckpoint(state)
  } catch (e) {
    if (e instanceof BabeVerifyError) throw new CliError(`checkpoint #${state.finalizedHeader.number} does not verify: ${e.code}: ${e.message}`)
    throw e
  }
  out(
    [
      `checkpoint     #${state.finalizedHeader.number} ${toHex(r.blockHash)}`,
      `slot           ${r.slot}`,
      `epoch index    ${r.epochIndex}`,
      `authority      ${r.authorityIndex} (${toHex(r.author)})`,
      `claim          ${r.kind === 'primary' ? 'primary (VRF below threshold)' : r.kind === 'secondaryVrf' ? 'secondary VRF' : 'secondary plain'}`,
      `verified       pre-digest, ${r.kind === 'secondaryPlain' ? 'secondary author' : 'VRF'}, seal`,
    ].join('\n') + '\n',
  )
  return 0
}

export async function verifyCommand(args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args
  switch (sub) {
    case 'checkpoint':
      return verifyCheckpointCommand(rest, out)
    case 'justification':
      return verifyJustificationCommand(rest, out)
    case 'warp':
      return verifyWarpCommand(rest, out)
    case 'blocks':
      return (await import('./verify-blocks.ts')).verifyBlocksCommand(rest, out)
    default:
      throw new CliError(USAGE)
  }
}

