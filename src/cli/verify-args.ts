// Shared by the `sublight verify` commands: usage, argument parsing, input files, failure reasons.

import { readFile } from 'node:fs/promises'
import { DecodeError } from '../codec/index.ts'
import { GrandpaError } from '../finality/index.ts'
import { BabeVerifyError } from '../verify/index.ts'
import { CliError } from './errors.ts'

export const USAGE = `usage: sublight verify checkpoint <spec.json>
       sublight verify justification <file.bin | 0xhex> --authorities <keys.json> --set-id <n> [--json]
       sublight verify warp <proof.bin>... --authorities <keys.json> --set-id <n> [--json]
       sublight verify blocks <sync2-response.bin>... --chain <spec.json> [--json]`

/** Positional arguments and `--name value` options (`--json` takes no value). */
export interface VerifyArgs {
  files: string[]
  options: Map<string, string>
  json: boolean
}

export function parseVerifyArgs(args: string[], allowed: string[]): VerifyArgs {
  const files: string[] = []
  const options = new Map<string, string>()
  let json = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--json') json = true
    else if (a.startsWith('--')) {
      if (!allowed.includes(a)) throw new CliError(`unknown option ${a}\n${USAGE}`)
      const v = args[++i]
      if (v === undefined) throw new CliError(`${a} needs a value`)
      options.set(a, v)
    } else files.push(a)
  }
  return { files, options, json }
}

export async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/** A verification failure as the CLI reports it: the code and the message. */
export function reason(e: unknown): string {
  if (e instanceof GrandpaError || e instanceof BabeVerifyError) return `${e.code}: ${e.message}`
  if (e instanceof DecodeError) return `malformed: ${e.message}`
  throw e
}

