// The full node's database (SQLite through better-sqlite3): blocks (header, body, justification),
// the canonical index, best/finalized pointers, and state as versioned key-values.
//
// State design: each imported block writes only the keys it changed, as rows (trie, key, number,
// value) with a NULL value for a deletion; `trie` is empty for the main trie, else the child trie's
// key. The state at canonical block N is, per key, the newest row with number <= N when its value is
// not NULL. When a block is finalized, rows superseded at or below the oldest kept block are deleted (with
// tombstones left alone at that point), so state stays available for a window of finalized blocks
// (256 by default, as Substrate's default pruning) and every later block, while headers, bodies and justifications are kept forever.
// `ColdBlock` is how DevChain holds a block long finalized: its data read back from here on demand.
//
// Durability: every import and every finalization is one SQLite transaction. WAL journaling with
// synchronous=NORMAL: a committed transaction survives the process being killed at any moment (the
// WAL is in the OS page cache); only an OS crash or power loss could drop the last commits, and even
// then the database stays consistent. On open the best block's state root is recomputed and checked.

import Database from 'better-sqlite3'
import { bytesEqual, toHex } from '../codec/index.ts'
import { MemoryStorage } from '../executor/index.ts'
import { decodeHeader, encodeHeader, headerHash, type Header } from '../header/index.ts'
import type { Entry, StateVersion } from '../trie/index.ts'
import { Reader, Writer } from '../codec/index.ts'

const SCHEMA_VERSION = 1

export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor(
    readonly code: 'WrongChain' | 'NewerSchema' | 'Corrupted',
    message: string,
  ) {
    super(message)
  }
}

/** Changed keys of one block: value null = deleted. Child tries by child key. */
export interface StateDiff {
  top: [Uint8Array, Uint8Array | null][]
  children: { childKey: Uint8Array; changes: [Uint8Array, Uint8Array | null][] }[]
}

export interface StoredBlock {
  hash: Uint8Array
  header: Header
  body: Uint8Array[]
  justification?: Uint8Array
}

/** A block as `load` gives it: without body (and justification) when it is to stay cold. */
export type LoadedBlock = StoredBlock | { hash: Uint8Array; header: Header; body?: undefined; justification?: undefined }

/** The keys whose values differ between two whole states (cheap between a state and its parent: they share most of it). */
export function diffStates(parent: MemoryStorage, child: MemoryStorage): StateDiff {
  return child.diffFrom(parent)
}

function encodeBody(body: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(body.reduce((s, b) => s + b.length, 5)).compact(body.length)
  for (const b of body) w.bytes(b)
  return w.finish()
}
function decodeBody(bytes: Uint8Array): Uint8Array[] {
  const r = new Reader(bytes)
  return r.vec(() => {
    const start = r.pos
    r.bytes_(r.compactNumber())
    return bytes.slice(start, r.pos)
  })
}

const u8 = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

interface BlockRow {
  hash: Buffer
  header: Buffer
  body: Buffer
  justification: Buffer | null
}
const blockOfRow = (r: BlockRow): StoredBlock => ({ hash: u8(r.hash), header: decodeHeader(u8(r.header)), body: decodeBody(u8(r.body)), ...(r.justification ? { justification: u8(r.justification) } : {}) })

export class BlockStore {
  private constructor(private readonly db: Database.Database) {}

  /** Statements prepared once per database (each `prepare` compiles SQL and holds native memory until GC). */
  private readonly statements = new Map<string, Database.Statement>()
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text)
    if (!st) this.statements.set(text, (st = this.db.prepare(text)))
    return st
  }

  /**
   * Opens (or creates) the database at `path` for the chain whose genesis is given. A database of
   * another chain or a newer schema is refused with a StoreError.
   */
  static open(path: string, genesis: { header: Header; state: MemoryStorage }): BlockStore {
    const db = new Database(path)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS blocks (hash BLOB PRIMARY KEY, number INTEGER NOT NULL, header BLOB NOT NULL, body BLOB NOT NULL, justification BLOB);
        CREATE TABLE IF NOT EXISTS canonical (number INTEGER PRIMARY KEY, hash BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS state (trie BLOB NOT NULL, key BLOB NOT NULL, number INTEGER NOT NULL, value BLOB, PRIMARY KEY (trie, key, number)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS state_by_number ON state (number);
      `)
      const store = new BlockStore(db)
      const genesisHash = headerHash(genesis.header)
      const schema = store.meta('schema')
      if (schema === undefined) {
        db.transaction(() => {
          store.setMeta('schema', Uint8Array.of(SCHEMA_VERSION))
          store.setMeta('genesis', genesisHash)
          store.insertBlock({ hash: genesisHash, header: genesis.header, body: [] })
          store.writeDiff(0, diffStates(new MemoryStorage([]), genesis.state))
          store.setMeta('best', genesisHash)
          store.setMeta('finalized', genesisHash)
        })()
      } else {
        if (schema[0] > SCHEMA_VERSION) throw new StoreError('NewerSchema', `the database has schema version ${schema[0]}; this sublight reads up to ${SCHEMA_VERSION}`)
        if (!bytesEqual(store.meta('genesis') ?? new Uint8Array(), genesisHash)) throw new StoreError('WrongChain', `the database belongs to another chain (genesis ${toHex(store.meta('genesis') ?? new Uint8Array())})`)
      }
      return store
    } catch (e) {
      db.close()
      throw e
    }
  }

  private meta(key: string): Uint8Array | undefined {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: Buffer } | undefined
    return row ? u8(row.value) : undefined
  }
  private setMeta(key: string, value: Uint8Array): void {
    this.sql('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value)
  }
  private insertBlock(b: StoredBlock): void {
    this.sql('INSERT OR REPLACE INTO blocks (hash, number, header, body, justification) VALUES (?, ?, ?, ?, ?)').run(b.hash, b.header.number, encodeHeader(b.header), encodeBody(b.body), b.justification ?? null)
    this.sql('INSERT OR REPLACE INTO canonical (number, hash) VALUES (?, ?)').run(b.header.number, b.hash)
  }
  private writeDiff(number: number, diff: StateDiff): void {
    const put = this.sql('INSERT OR REPLACE INTO state (trie, key, number, value) VALUES (?, ?, ?, ?)')
    const none = new Uint8Array()
    for (const [k, v] of diff.top) put.run(none, k, number, v)
    for (const c of diff.children) for (const [k, v] of c.changes) put.run(c.childKey, k, number, v)
  }

  /** Stores a block on top of the best block with its state changes, and makes it best: one transaction. */
  importBlock(b: StoredBlock, diff: StateDiff): void {
    this.setCanonical(b.header.number, [{ block: b, diff }])
  }

  /**
   * Rewrites the canonical chain from block number `from` up: what was canonical there (a replaced fork)
   * is dropped, and `blocks` (consecutive, the first on canonical block `from - 1`) with their state
   * changes take its place; the last becomes best. One transaction.
   */
  setCanonical(from: number, blocks: readonly { block: StoredBlock; diff: StateDiff }[]): void {
    if (!blocks.length) return
    this.db.transaction(() => {
      this.sql('DELETE FROM canonical WHERE number >= ?').run(from)
      this.sql('DELETE FROM state WHERE number >= ?').run(from)
      for (const { block, diff } of blocks) {
        this.insertBlock(block)
        this.writeDiff(block.header.number, diff)
      }
      this.setMeta('best', blocks[blocks.length - 1].block.hash)
    })()
  }

  /**
   * Marks a canonical block final with its justification and prunes state versions that no block at
   * or above `keepFrom` can see any more: one transaction.
   */
  finalize(hash: Uint8Array, justification: Uint8Array | undefined, keepFrom: number): void {
    const number = keepFrom
    this.db.transaction(() => {
      if (justification) this.sql('UPDATE blocks SET justification = ? WHERE hash = ?').run(justification, hash)
      this.setMeta('finalized', hash)
      // versions of keys older than the newest version at or below `number` are unreachable now
      this
        .sql(
          `DELETE FROM state WHERE number < ? AND EXISTS (
             SELECT 1 FROM state AS newer WHERE newer.trie = state.trie AND newer.key = state.key AND newer.number > state.number AND newer.number <= ?)`,
        )
        .run(number, number)
      // a deletion with nothing older left to hide is no longer needed
      this.sql('DELETE FROM state WHERE value IS NULL AND number <= ? AND NOT EXISTS (SELECT 1 FROM state AS older WHERE older.trie = state.trie AND older.key = state.key AND older.number < state.number)').run(number)
    })()
  }

  /**
   * The canonical chain, genesis first, and the finalized number. Blocks more than `hotBlocks` below the
   * finalized one (genesis aside) come without body and justification (`body` undefined): the chain keeps
   * those cold and reads them back when asked, so a restart does not read and decode every body ever stored.
   */
  load(hotBlocks = Infinity): { blocks: LoadedBlock[]; finalizedNumber: number; coldBelow: number } {
    const best = this.meta('best')!
    const fin = this.meta('finalized')!
    const finRow = this.sql('SELECT number FROM blocks WHERE hash = ?').get(fin) as { number: number } | undefined
    if (!finRow) throw new StoreError('Corrupted', 'the finalized block is missing')
    const coldBelow = Math.max(1, finRow.number - hotBlocks)
    const rows = this.sql('SELECT c.number, b.hash, b.header, CASE WHEN c.number = 0 OR c.number >= ? THEN b.body END AS body, CASE WHEN c.number = 0 OR c.number >= ? THEN b.justification END AS justification FROM canonical c JOIN blocks b ON b.hash = c.hash ORDER BY c.number').all(coldBelow, coldBelow) as (Omit<BlockRow, 'body'> & { number: number; body: Buffer | null })[]
    const blocks: LoadedBlock[] = rows.map((r) => (r.body === null ? { hash: u8(r.hash), header: decodeHeader(u8(r.header)) } : blockOfRow(r as BlockRow & { number: number })))
    // the chain must link from genesis to the best block
    for (let i = 1; i < blocks.length; i++) {
      if (blocks[i].header.number !== i || !bytesEqual(blocks[i].header.parentHash, blocks[i - 1].hash)) throw new StoreError('Corrupted', `canonical block #${i} does not extend #${i - 1}`)
    }
    if (!blocks.length || !bytesEqual(blocks[blocks.length - 1].hash, best)) throw new StoreError('Corrupted', 'the best block is not the tip of the canonical chain')
    const finalizedNumber = finRow.number
    if (!blocks[finalizedNumber] || !bytesEqual(blocks[finalizedNumber].hash, fin)) throw new StoreError('Corrupted', 'the finalized block is not canonical')
    return { blocks, finalizedNumber, coldBelow }
  }

  /** The canonical block at `number`, or undefined. */
  blockAt(number: number): StoredBlock | undefined {
    const row = this.sql('SELECT b.hash, b.header, b.body, b.justification FROM canonical c JOIN blocks b ON b.hash = c.hash WHERE c.number = ?').get(number) as BlockRow | undefined
    return row && blockOfRow(row)
  }

  /** The state changes block `number` made. */
  diffAt(number: number): StateDiff {
    const rows = this.sql('SELECT trie, key, value FROM state WHERE number = ? ORDER BY trie, key').all(number) as { trie: Buffer; key: Buffer; value: Buffer | null }[]
    const diff: StateDiff = { top: [], children: [] }
    for (const r of rows) {
      const change: [Uint8Array, Uint8Array | null] = [u8(r.key), r.value ? u8(r.value) : null]
      if (r.trie.length === 0) diff.top.push(change)
      else {
        const ck = u8(r.trie)
        let c = diff.children.find((x) => bytesEqual(x.childKey, ck))
        if (!c) diff.children.push((c = { childKey: ck, changes: [] }))
        c.changes.push(change)
      }
    }
    return diff
  }

  /** The whole state at canonical block `number` (which must not be older than the oldest kept state). */
  stateAt(number: number): MemoryStorage {
    const rows = this.sql('SELECT trie, key, value FROM state WHERE number <= ? ORDER BY trie, key, number').iterate(number) as Iterable<{ trie: Buffer; key: Buffer; value: Buffer | null }>
    const tries = new Map<string, [Uint8Array, Entry[]]>()
    let pending: { trie: Uint8Array; key: Uint8Array; value: Uint8Array | null } | undefined
    const flush = () => {
      if (!pending || pending.value === null) return
      const t = toHex(pending.trie)
      if (!tries.has(t)) tries.set(t, [pending.trie, []])
      tries.get(t)![1].push([pending.key, pending.value])
    }
    for (const r of rows) {
      const trie = u8(r.trie)
      const key = u8(r.key)
      if (pending && !(bytesEqual(pending.trie, trie) && bytesEqual(pending.key, key))) flush()
      pending = { trie, key, value: r.value ? u8(r.value) : null }
    }
    flush()
    const top = tries.get('0x')?.[1] ?? []
    tries.delete('0x')
    return new MemoryStorage(top, [...tries.values()].map(([ck, e]) => [ck, e] as const))
  }

  /** Checks that the state at `header` hashes to its state root. */
  verifyState(header: Header, state: MemoryStorage, version: StateVersion): void {
    // as the runtime computes it; the tries built here are carried to the states derived from this one
    const root = state.rootAfter({ top: [], children: [] }, version)
    if (!bytesEqual(root, header.stateRoot)) throw new StoreError('Corrupted', `state of #${header.number} does not match its state root`)
  }

  /** Database statistics (for status and benchmarks). */
  stats(): { stateRows: number; blocks: number } {
    return {
      stateRows: (this.sql('SELECT count(*) AS n FROM state').get() as { n: number }).n,
      blocks: (this.sql('SELECT count(*) AS n FROM blocks').get() as { n: number }).n,
    }
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

/**
 * A long-finalized canonical block of a stored chain as DevChain keeps it: hash and fork-choice weight
 * in memory, header, body and justification read back from the database when asked for.
 */
export class ColdBlock {
  state: undefined = undefined
  stateVersion?: StateVersion
  constructor(
    readonly hash: Uint8Array,
    readonly weight: number,
    private readonly number: number,
    private readonly store: BlockStore,
  ) {}
  /** The last block read (a block request reads header, body and justification of one block in turn). */
  private static last: { block: ColdBlock; data: StoredBlock } | undefined
  private data(): StoredBlock {
    if (ColdBlock.last?.block === this) return ColdBlock.last.data
    const data = this.store.blockAt(this.number)
    if (!data || !bytesEqual(data.hash, this.hash)) throw new StoreError('Corrupted', `canonical block #${this.number} is missing from the database`)
    ColdBlock.last = { block: this, data }
    return data
  }
  get header(): Header {
    return this.data().header
  }
  get body(): Uint8Array[] {
    return this.data().body
  }
  get justification(): Uint8Array | undefined {
    return this.data().justification
  }
}
