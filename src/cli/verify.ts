// `sublight verify checkpoint <chain-spec.json>`: verifies the checkpoint header's BABE claim (pre-digest,
// VRF, seal) against the checkpoint epochs; prints what was checked, or the precise reason and exit 1.

import { readFile } from 'node:fs/promises'
import { toHex } from '../codec/index.ts'
import { parseChainSpec } from '../chain-spec/index.ts'
import { BabeVerifyError, checkpointState, verifyCheckpoint } from '../verify/index.ts'
import { CliError } from './errors.ts'

export async function verifyCommand(args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'checkpoint' || rest.length !== 1) throw new CliError('usage: sublight verify checkpoint <chain-spec.json>')
  let text: string
  try {
    text = await readFile(rest[0], 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${rest[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const spec = parseChainSpec(text)
  if (!spec.lightSyncState) throw new CliError(`${rest[0]} has no checkpoint (lightSyncState)`)
  const state = checkpointState(spec.lightSyncState)
  try {
    const r = verifyCheckpoint(state)
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
  } catch (e) {
    if (e instanceof BabeVerifyError) throw new CliError(`checkpoint #${state.finalizedHeader.number} does not verify: ${e.code}: ${e.message}`)
    throw e
  }
}
