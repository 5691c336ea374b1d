// `sublight runtime version <chain-spec.json | runtime.wasm[.zstd]> [--json]` executes Core_version;
// `sublight runtime call <chain-spec.json> <Method_name> [0xargs] [--time]` runs a call on the spec's
// genesis storage and prints the output as 0x-hex on one line (call time on stderr with --time).

import { readFile } from 'node:fs/promises'
import { HexError, fromHex, toHex, utf8 } from '../codec/index.ts'
import { genesisStorage, parseChainSpec, type ChainSpec } from '../chain-spec/index.ts'
import { MemoryStorage, Runtime, decodeRuntimeVersion } from '../executor/index.ts'
import { CliError } from './errors.ts'

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

function rawGenesisStorage(spec: ChainSpec, path: string): MemoryStorage {
  if (spec.genesis.kind !== 'raw') throw new CliError(`${path} has no genesis storage (only a state root)`)
  return genesisStorage(spec.genesis)
}

/** Loads either a chain spec (runtime = genesis `:code`) or a runtime file. */
async function loadTarget(path: string): Promise<{ runtime: Runtime; storage: MemoryStorage | undefined }> {
  const bytes = await readInput(path)
  if (bytes[0] === 0x7b /* '{' */) {
    const spec = parseChainSpec(new TextDecoder().decode(bytes))
    const storage = rawGenesisStorage(spec, path)
    const code = storage.get(utf8(':code'))
    if (!code) throw new CliError(`${path}: genesis storage has no :code`)
    return { runtime: Runtime.load(code), storage }
  }
  return { runtime: Runtime.load(bytes), storage: undefined }
}

export async function runtimeCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args
  const flags = rest.filter((a) => a.startsWith('--'))
  const pos = rest.filter((a) => !a.startsWith('--'))
  if (sub === 'version') {
    for (const f of flags) if (f !== '--json') throw new CliError(`unknown option ${f}`)
    if (pos.length !== 1) throw new CliError('usage: sublight runtime version <chain-spec.json | runtime.wasm[.zstd]> [--json]')
    const { runtime, storage } = await loadTarget(pos[0])
    const v = decodeRuntimeVersion(runtime.call('Core_version', new Uint8Array(), { storage }).output)
    const apis = v.apis.map(([id, n]) => [toHex(id), n] as [string, number])
    if (flags.includes('--json')) {
      out(JSON.stringify({ specName: v.specName, implName: v.implName, authoringVersion: v.authoringVersion, specVersion: v.specVersion, implVersion: v.implVersion, transactionVersion: v.transactionVersion ?? null, stateVersion: v.stateVersion, apis }) + '\n')
    } else {
      out(
        [
          `specName            ${v.specName}`,
          `implName            ${v.implName}`,
          `authoringVersion    ${v.authoringVersion}`,
          `specVersion         ${v.specVersion}`,
          `implVersion         ${v.implVersion}`,
          `transactionVersion  ${v.transactionVersion ?? 'n/a'}`,
          `stateVersion        ${v.stateVersion}`,
          `apis                ${apis.length}`,
          ...apis.map(([id, n]) => `  ${id} v${n}`),
        ].join('\n') + '\n',
      )
    }
    return 0
  }
  if (sub === 'call') {
    for (const f of flags) if (f !== '--time') throw new CliError(`unknown option ${f}`)
    if (pos.length < 2 || pos.length > 3) throw new CliError('usage: sublight runtime call <chain-spec.json> <Method_name> [0xargs] [--time]')
    let callArgs: Uint8Array
    try {
      callArgs = pos[2] === undefined ? new Uint8Array() : fromHex(pos[2])
    } catch (e) {
      throw new CliError(`bad call arguments: ${(e as HexError).message}`)
    }
    const spec = parseChainSpec(new TextDecoder().decode(await readInput(pos[0])))
    const storage = rawGenesisStorage(spec, pos[0])
    const code = storage.get(utf8(':code'))
    if (!code) throw new CliError(`${pos[0]}: genesis storage has no :code`)
    const t0 = performance.now()
    const runtime = Runtime.load(code)
    const t1 = performance.now()
    const res = runtime.call(pos[1], callArgs, { storage })
    const t2 = performance.now()
    out(toHex(res.output) + '\n')
    if (flags.includes('--time')) err(`call ${pos[1]}: ${(t2 - t1).toFixed(1)} ms (+ ${(t1 - t0).toFixed(1)} ms load/compile)\n`)
    return 0
  }
  throw new CliError("usage: sublight runtime <version | call> ... (see 'sublight --help')")
}
