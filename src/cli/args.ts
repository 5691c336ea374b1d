// Shared CLI helpers: option values, chain-spec files and the node database, with one-line errors.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { HexError, fromHex } from '../codec/index.ts'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { parseChainSpec, type ChainSpec } from '../chain-spec/index.ts'
import { DevChain, StoreError } from '../full-node/index.ts'
import { CliError } from './errors.ts'

/** The value after option `args[i]`; throws when it is missing. */
export function optionValue(args: string[], i: number): string {
  const v = args[i + 1]
  if (v === undefined) throw new CliError(`${args[i]} needs a value`)
  return v
}

/** A port option's value (0 picks a free port). */
export function portValue(v: string, option: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${option} must be a port number (0-65535), got ${v}`)
  return n
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

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns under some paths (e.g. inside
 * /proc), and an unusable base path must be a clear error, not a hang.
 */
async function makeDirectories(dir: string): Promise<void> {
  const parts = resolve(dir).split(sep)
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join(sep) || sep
    try {
      await mkdir(p)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      if (!(await stat(p)).isDirectory()) throw Object.assign(new Error(`${p} is not a directory`), { code: 'ENOTDIR' })
    }
  }
}

/**
 * Opens the chain database: `<basePath>/chains/<id>/sublight.sqlite`, or one in a fresh temporary
 * directory when no base path is given (`--tmp`); `cleanup()` removes that temporary directory.
 */
export async function openChainDatabase(spec: ChainSpec, basePath: string | undefined): Promise<{ chain: DevChain; cleanup: () => Promise<void> }> {
  const dir = basePath ?? (await mkdtemp(join(tmpdir(), 'sublight-')))
  const cleanup = async () => {
    if (!basePath) await rm(dir, { recursive: true, force: true })
  }
  const dbDir = chainDirectory(dir, spec)
  const file = join(dbDir, 'sublight.sqlite')
  try {
    await makeDirectories(dbDir)
    return { chain: DevChain.open(spec, file), cleanup }
  } catch (e) {
    await cleanup()
    if (e instanceof StoreError) throw new CliError(`${file}: ${e.message}`)
    if ((e as NodeJS.ErrnoException).code) throw new CliError(`cannot create ${dbDir}: ${(e as NodeJS.ErrnoException).code}`)
    throw e
  }
}

/** `<base path>/chains/<spec id>`: where a node keeps its database and its network key. */
function chainDirectory(basePath: string, spec: ChainSpec): string {
  return join(basePath, 'chains', spec.id.replace(/[^A-Za-z0-9_-]/g, '_') || 'chain')
}

/** `--node-key <hex>`: 32 bytes of hex (an Ed25519 seed). */
export function nodeKeyValue(v: string): Uint8Array {
  let key: Uint8Array
  try {
    key = fromHex(v)
  } catch (e) {
    throw new CliError(`--node-key: ${(e as HexError).message}`)
  }
  if (key.length !== 32) throw new CliError('--node-key must be 32 bytes of hex')
  return key
}

/**
 * The node's network key: `--node-key` when given; else, with `--base-path`, the one kept in
 * `<base>/chains/<id>/network/secret_ed25519` (32 raw bytes, Substrate's place for it), made on first
 * start, so a restarted node keeps its peer id and its peers find it again; else none (a random one).
 */
export async function nodeKeyFor(spec: ChainSpec, basePath: string | undefined, given: Uint8Array | undefined): Promise<Uint8Array | undefined> {
  if (given || !basePath) return given
  const dir = join(chainDirectory(basePath, spec), 'network')
  const file = join(dir, 'secret_ed25519')
  try {
    const key = new Uint8Array(await readFile(file))
    if (key.length !== 32) throw new CliError(`${file}: not a 32-byte network key (remove it to make a new one)`)
    return key
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof CliError) throw e
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }
  const key = crypto.getRandomValues(new Uint8Array(32))
  try {
    await makeDirectories(dir)
    await writeFile(file, key, { mode: 0o600 })
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  return key
}

/** `--rpc-cors all` or a comma-separated list of origins (`http://localhost:*` allows any port). */
export function corsValue(v: string): 'all' | string[] {
  if (v === 'all' || v === '*') return 'all'
  const list = v.split(',').map((o) => o.trim()).filter(Boolean)
  for (const o of list) if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new CliError(`--rpc-cors: '${o}' is not an origin like http://localhost:3000 (or all)`)
  return list
}
