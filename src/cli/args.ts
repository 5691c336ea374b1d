// Shared CLI helpers: option values and chain-spec files, with one-line errors.
import { readFile } from 'node:fs/promises'
import { parseChainSpec, type ChainSpec } from '../chain-spec/index.ts'
import { CliError } from './errors.ts'

/** The value after option `args[i]`; throws when it is missing. */
export function optionValue(args: string[], i: number): string {
  const v = args[i + 1]
  if (v === undefined) throw new CliError(`${args[i]} needs a value`)
  return v
}

/** Reads and parses a chain spec file (ChainSpecError for bad specs, CliError for unreadable files). */
export async function loadChainSpec(path: string): Promise<ChainSpec> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  return parseChainSpec(text)
}
