// `sublight chain-spec <file> [--json]`: summarizes a chain spec. The JSON form's keys are a contract:
// name, id, chainType, genesisHash, stateRoot, relayChain, paraId, bootNodes, checkpoint, runtime.

import { readFile } from 'node:fs/promises'
import { toHex } from '../codec/index.ts'
import { genesisHeader, genesisRuntimeVersion, genesisStorage, parseChainSpec } from '../chain-spec/index.ts'
import { headerHash } from '../header/index.ts'
import { CliError } from './errors.ts'
import { Runtime, decodeRuntimeVersion } from '../executor/index.ts'
import { utf8 } from '../codec/index.ts'

export interface ChainSpecSummary {
  name: string
  id: string
  chainType: string
  genesisHash: string
  stateRoot: string
  relayChain: string | null
  paraId: number | null
  bootNodes: number
  checkpoint: { number: number; hash: string } | null
  runtime: { specName: string; specVersion: number; stateVersion: number } | null
}

/** Builds the summary of a chain spec given as JSON text. */
export function summarizeChainSpec(text: string): ChainSpecSummary {
  const spec = parseChainSpec(text)
  const header = genesisHeader(spec)
  const cp = spec.lightSyncState?.finalizedBlockHeader
  // From the runtime's custom sections; older runtimes lack them, then Core_version is executed.
  let rv = genesisRuntimeVersion(spec)
  if (rv === undefined && spec.genesis.kind === 'raw') {
    const storage = genesisStorage(spec.genesis)
    rv = decodeRuntimeVersion(Runtime.load(storage.get(utf8(':code'))!).call('Core_version', new Uint8Array(), { storage }).output)
  }
  return {
    name: spec.name,
    id: spec.id,
    chainType: spec.chainType,
    genesisHash: toHex(headerHash(header)),
    stateRoot: toHex(header.stateRoot),
    relayChain: spec.relayChain ?? null,
    paraId: spec.paraId ?? null,
    bootNodes: spec.bootNodes.length,
    checkpoint: cp ? { number: cp.number, hash: toHex(headerHash(cp)) } : null,
    runtime: rv ? { specName: rv.specName, specVersion: rv.specVersion, stateVersion: rv.stateVersion } : null,
  }
}

export async function chainSpecCommand(args: string[], out: (s: string) => void): Promise<number> {
  const json = args.includes('--json')
  const files = args.filter((a) => !a.startsWith('--'))
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json')
  if (unknown.length > 0) throw new CliError(`unknown option ${unknown[0]}`)
  if (files.length !== 1) throw new CliError('usage: sublight chain-spec <file> [--json]')
  let text: string
  try {
    text = await readFile(files[0], 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${files[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const s = summarizeChainSpec(text)
  if (json) {
    out(JSON.stringify(s) + '\n')
    return 0
  }
  const lines = [
    `name          ${s.name}`,
    `id            ${s.id}`,
    `chain type    ${s.chainType}`,
    `genesis hash  ${s.genesisHash}`,
    `state root    ${s.stateRoot}`,
  ]
  if (s.relayChain !== null) lines.push(`relay chain   ${s.relayChain}`, `para id       ${s.paraId}`)
  lines.push(`boot nodes    ${s.bootNodes}`)
  lines.push(`checkpoint    ${s.checkpoint ? `#${s.checkpoint.number} ${s.checkpoint.hash}` : 'none'}`)
  lines.push(`runtime       ${s.runtime ? `${s.runtime.specName} v${s.runtime.specVersion} (state version ${s.runtime.stateVersion})` : 'unknown (the spec has no genesis storage)'}`)
  out(lines.join('\n') + '\n')
  return 0
}
