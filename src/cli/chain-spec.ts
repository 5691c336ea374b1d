// `sublight chain-spec <file> [--json]`: summarizes a chain spec. The JSON form's keys are a contract:
// name, id, chainType, genesisHash, stateRoot, relayChain, paraId, bootNodes, checkpoint, runtime.
// `sublight chain-spec validators <file> --count <n>`: prints the spec rewritten for a local network of n
// dev validators (`chain-spec/validators.ts`), for `sublight dev --chain … --key //Alice` etc.

import { readFile } from 'node:fs/promises'
import { toHex } from '../codec/index.ts'
import { genesisHeader, genesisRuntimeVersion, genesisStorage, parseChainSpec } from '../chain-spec/index.ts'
import { parachainDevSpec } from '../chain-spec/parachain-dev.ts'
import { headerHash } from '../header/index.ts'
import { CliError } from './errors.ts'
import { KeyUriError } from '../crypto/index.ts'
import { MAX_VALIDATORS, validatorSuris, withValidators } from '../chain-spec/validators.ts'
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

async function readSpecFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

const VALIDATORS_USAGE = 'usage: sublight chain-spec validators <spec.json> --count <n>'

/** `sublight chain-spec validators <file> --count <n>`: the spec with n dev validators, on stdout. */
async function validatorsCommand(args: string[], out: (s: string) => void): Promise<number> {
  let file: string | undefined
  let count: number | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--count') {
      const v = args[++i]
      count = Number(v)
      if (v === undefined || !/^\d+$/.test(v) || count < 1 || count > MAX_VALIDATORS) throw new CliError(`--count: ${v ?? '(missing)'} is not a number of validators (1 to ${MAX_VALIDATORS})`)
    } else if (a.startsWith('--')) throw new CliError(`unknown option ${a}\n${VALIDATORS_USAGE}`)
    else if (file === undefined) file = a
    else throw new CliError(VALIDATORS_USAGE)
  }
  if (file === undefined || count === undefined) throw new CliError(VALIDATORS_USAGE)
  const text = await readSpecFile(file)
  // parsed strictly first: a broken spec fails here with the usual clear error
  parseChainSpec(text)
  out(JSON.stringify(withValidators(JSON.parse(text), validatorSuris(count)), null, 2) + '\n')
  return 0
}

const PARACHAIN_DEV_USAGE = 'usage: sublight chain-spec parachain-dev <para spec.json> --relay <relay spec.json> [--endow <suri>...]'

/** `sublight chain-spec parachain-dev <para> --relay <relay>`: the parachain with Alice as collator, paired with that relay, on stdout. */
async function parachainDevCommand(args: string[], out: (s: string) => void): Promise<number> {
  let file: string | undefined
  let relay: string | undefined
  const endow: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--relay') {
      relay = args[++i]
      if (relay === undefined) throw new CliError(`--relay needs the relay chain's spec file\n${PARACHAIN_DEV_USAGE}`)
    } else if (a === '--endow') {
      const suri = args[++i]
      if (suri === undefined) throw new CliError(`--endow needs a secret URI (e.g. //Alice)\n${PARACHAIN_DEV_USAGE}`)
      endow.push(suri)
    } else if (a.startsWith('--')) throw new CliError(`unknown option ${a}\n${PARACHAIN_DEV_USAGE}`)
    else if (file === undefined) file = a
    else throw new CliError(PARACHAIN_DEV_USAGE)
  }
  if (file === undefined || relay === undefined) throw new CliError(PARACHAIN_DEV_USAGE)
  const text = await readSpecFile(file)
  const para = parseChainSpec(text)
  const relaySpec = parseChainSpec(await readSpecFile(relay))
  if (para.relayChain === undefined) throw new CliError(`${file} is not a parachain spec (no relay_chain and para_id)`)
  if (relaySpec.relayChain !== undefined) throw new CliError(`${relay} is a parachain's spec, not a relay chain's`)
  let derived: Record<string, unknown>
  try {
    derived = parachainDevSpec(JSON.parse(text), relaySpec.id, { endow })
  } catch (e) {
    if (e instanceof KeyUriError) throw new CliError(`--endow: ${e.message}`)
    throw e
  }
  out(JSON.stringify(derived, null, 2) + '\n')
  return 0
}

export async function chainSpecCommand(args: string[], out: (s: string) => void): Promise<number> {
  if (args[0] === 'validators') return validatorsCommand(args.slice(1), out)
  if (args[0] === 'parachain-dev') return parachainDevCommand(args.slice(1), out)
  const json = args.includes('--json')
  const files = args.filter((a) => !a.startsWith('--'))
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json')
  if (unknown.length > 0) throw new CliError(`unknown option ${unknown[0]}`)
  if (files.length !== 1) throw new CliError('usage: sublight chain-spec <file> [--json]')
  const text = await readSpecFile(files[0])
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
