// Storage as the runtime sees it: one synchronous, sans-IO backend interface (in-memory state, a Merkle
// proof checked against a state root, later a database), an overlay of changes with nested
// transactions, and state-root computation after a call. A proof backend answers "not covered" with a
// MissingStorageError carrying the key; nothing here does I/O.

import { bytesEqual, compareBytes, concatBytes, startsWith } from '../codec/index.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, PersistentTrie, TrieError, TrieProof, stateRoot, trieRoot, type Entry, type StateVersion } from '../trie/index.ts'
import { ExecutorError, MissingStorageError } from './errors.ts'
import { LayeredMap } from './layered-map.ts'

/** Binary-string map key for a byte string (cheap, exact). */
export function keyStr(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[])
  return s
}
export function strKey(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

/** Read access to a state. `childKey` is the child trie's key without `:child_storage:default:`. */
export interface StorageBackend {
  get(key: Uint8Array): Uint8Array | undefined
  /**
   * The smallest key strictly greater than `key`. `prefix`, when given, says the caller only wants a key
   * under it (clearing a prefix): a backend may answer undefined for a key outside it.
   */
  nextKey(key: Uint8Array, prefix?: Uint8Array): Uint8Array | undefined
  childGet(childKey: Uint8Array, key: Uint8Array): Uint8Array | undefined
  childNextKey(childKey: Uint8Array, key: Uint8Array, prefix?: Uint8Array): Uint8Array | undefined
  /** Child trie keys present in this state (only for backends holding the whole state). */
  childKeys?(): Uint8Array[]
  /** Every entry (only for backends holding the whole state; needed to compute state roots). */
  topEntries?(): Iterable<Entry>
  childEntries?(childKey: Uint8Array): Iterable<Entry>
}

/**
 * A whole state held in memory (genesis from a chain spec, a block's state on a node). States derived
 * by `withChanges` share their unchanged parts with the state they came from (`layered-map.ts`), so a
 * chain of states costs about its changes, not its length times the state's size.
 */
export class MemoryStorage implements StorageBackend {
  private top: LayeredMap
  private children = new Map<string, LayeredMap>()
  constructor(top: readonly Entry[], children: readonly (readonly [childKey: Uint8Array, entries: readonly Entry[]])[] = []) {
    this.top = LayeredMap.of(top.map(([k, v]) => [keyStr(k), v] as const))
    for (const [k, e] of children) {
      const m = LayeredMap.of(e.map(([ek, v]) => [keyStr(ek), v] as const))
      if (m.size > 0) this.children.set(keyStr(k), m)
    }
  }
  /**
   * The state after `changes` (a call's net changes or a stored diff), as a new MemoryStorage sharing
   * this one's values; this state is left untouched. Costs about the changes; emptied child tries go.
   */
  withChanges(changes: StorageChanges): MemoryStorage {
    const next = new MemoryStorage([])
    if (this.tries) next.tries = triesWith(this.tries, changes)
    next.top = this.top.with(changes.top.map(([k, v]) => [keyStr(k), v] as const))
    next.children = new Map(this.children)
    for (const c of changes.children) {
      const ks = keyStr(c.childKey)
      const store = (this.children.get(ks) ?? LayeredMap.empty).with(c.changes.map(([k, v]) => [keyStr(k), v] as const))
      if (store.size > 0) next.children.set(ks, store)
      else next.children.delete(ks)
    }
    return next
  }
  /**
   * The keys whose values differ from `base` (null: absent here), per trie in key order. Reads only
   * what the two states do not share: about the changes between a state and its parent.
   */
  diffFrom(base: MemoryStorage): StorageChanges {
    const bytes = (d: [string, Uint8Array | null][]) => d.map(([k, v]) => [strKey(k), v] as [Uint8Array, Uint8Array | null])
    const childKeys = new Set([...base.children.keys(), ...this.children.keys()])
    const children: StorageChanges['children'] = []
    for (const ks of [...childKeys].sort()) {
      const changes = bytes((this.children.get(ks) ?? LayeredMap.empty).diffFrom(base.children.get(ks) ?? LayeredMap.empty))
      if (changes.length) children.push({ childKey: strKey(ks), changes })
    }
    return { top: bytes(this.top.diffFrom(base.top)), children }
  }
  /**
   * The state root after `changes` on this state, without building that state. The first call builds
   * persistent tries of this state; states derived by `withChanges` from then on carry theirs along
   * (sharing nodes), so a chain's later roots hash only the changed paths.
   */
  rootAfter(changes: StorageChanges, version: StateVersion): Uint8Array {
    return rootOfTries(triesWith(this.rootTries(), changes), version)
  }
  /** A child trie's root after `changes` to it (the empty-trie root when it ends up empty). */
  childRootAfter(childKey: Uint8Array, changes: Iterable<readonly [key: Uint8Array, value: Uint8Array | null]>, version: StateVersion): Uint8Array {
    return (this.rootTries().children.get(keyStr(childKey)) ?? PersistentTrie.empty).with(changes).hash(version)
  }
  private tries: StateTries | undefined
  /**
   * Drops this state's tries (rebuilt from the entries if a root is asked again). A chain keeps old
   * states to read, not to build on: their tries only hold trie nodes later states replaced.
   */
  forgetTries(): void {
    this.tries = undefined
  }
  private rootTries(): StateTries {
    return (this.tries ??= this.buildTries())
  }
  private buildTries(): StateTries {
    const children = new Map<string, PersistentTrie>()
    for (const [ks, store] of this.children) children.set(ks, PersistentTrie.of(bytesEntries(store)))
    return { top: PersistentTrie.of([...bytesEntries(this.top)].filter(([k]) => !startsWithPrefix(k))), children }
  }
  /**
   * This state as persistent tries, for proofs: the top trie without child-trie root entries, and each
   * non-empty child trie by its key. The state's own when it keeps them (a state a chain builds on: they
   * share nearly every node, and its hashes, with the parent's); else built for the caller, not kept.
   */
  persistentTries(): { top: PersistentTrie; children: [childKey: Uint8Array, trie: PersistentTrie][] } {
    const t = this.tries ?? this.buildTries()
    return { top: t.top, children: [...t.children].map(([ks, trie]) => [strKey(ks), trie]) }
  }
  get(key: Uint8Array) {
    return this.top.get(keyStr(key))
  }
  nextKey(key: Uint8Array) {
    const k = this.top.nextKey(keyStr(key))
    return k === undefined ? undefined : strKey(k)
  }
  childGet(childKey: Uint8Array, key: Uint8Array) {
    return this.children.get(keyStr(childKey))?.get(keyStr(key))
  }
  childNextKey(childKey: Uint8Array, key: Uint8Array) {
    const k = this.children.get(keyStr(childKey))?.nextKey(keyStr(key))
    return k === undefined ? undefined : strKey(k)
  }
  childKeys() {
    return [...this.children.keys()].map(strKey)
  }
  topEntries() {
    return bytesEntries(this.top)
  }
  childEntries(childKey: Uint8Array) {
    const m = this.children.get(keyStr(childKey))
    return m ? bytesEntries(m) : []
  }
  /**
   * Entries whose key starts with `prefix` (the prefix itself included), in key order, in the main trie
   * or a child trie; from after `startAfter` when that is further than the prefix.
   */
  *entriesUnder(prefix: Uint8Array, childKey?: Uint8Array, startAfter?: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
    const get = (k: Uint8Array) => (childKey ? this.childGet(childKey, k) : this.get(k))
    const next = (k: Uint8Array) => (childKey ? this.childNextKey(childKey, k) : this.nextKey(k))
    const from = startAfter && compareBytes(startAfter, prefix) >= 0 ? startAfter : undefined
    const first = from ? undefined : get(prefix)
    if (first !== undefined) yield [prefix, first]
    for (let k = next(from ?? prefix); k !== undefined && startsWith(k, prefix); k = next(k)) yield [k, get(k)!]
  }
}

function* bytesEntries(m: LayeredMap): Generator<Entry> {
  for (const [k, v] of m.entries()) yield [strKey(k), v]
}

/** A state's tries for roots: the top trie without child-trie root entries, and each non-empty child trie. */
interface StateTries {
  top: PersistentTrie
  children: Map<string, PersistentTrie>
}

function triesWith(t: StateTries, changes: StorageChanges): StateTries {
  const children = new Map(t.children)
  for (const c of changes.children) {
    const ks = keyStr(c.childKey)
    const trie = (children.get(ks) ?? PersistentTrie.empty).with(c.changes)
    if (trie.isEmpty) children.delete(ks)
    else children.set(ks, trie)
  }
  return { top: t.top.with(changes.top.filter(([k]) => !startsWithPrefix(k))), children }
}

/** The state root: each child trie's root goes under `:child_storage:default:` ++ its key in the top trie. */
function rootOfTries(t: StateTries, version: StateVersion): Uint8Array {
  const childRoots = [...t.children].map(([ks, trie]) => [concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, strKey(ks)), trie.hash(version)] as const)
  return t.top.with(childRoots).hash(version)
}

/** State known only through a Merkle proof checked against `stateRoot`; unknown keys throw MissingStorageError. */
export class ProofStorage implements StorageBackend {
  private readonly top: TrieProof
  /** Per child trie: its proof view, null when the trie does not exist, 'missing' when its root node is not in the proof. */
  private readonly children = new Map<string, TrieProof | null | 'missing'>()
  constructor(
    stateRoot: Uint8Array,
    private readonly nodes: readonly Uint8Array[],
  ) {
    // a call that read nothing has an empty proof: reads it cannot answer are missing keys
    this.top = TrieProof.partial(stateRoot, nodes)
  }
  get(key: Uint8Array) {
    const r = this.top.get(key)
    if (r.kind === 'unknown') throw new MissingStorageError(key, undefined, 'get')
    return r.kind === 'value' ? r.value : undefined
  }
  nextKey(key: Uint8Array) {
    const r = this.top.nextKey(key)
    if (r.kind === 'unknown') throw new MissingStorageError(key, undefined, 'nextKey')
    return r.kind === 'found' ? r.key : undefined
  }
  /** The child trie's view; a child root whose node the proof lacks is a missing key, like any other. */
  private child(childKey: Uint8Array, key: Uint8Array, operation: 'get' | 'nextKey'): TrieProof | null {
    const ks = keyStr(childKey)
    let p = this.children.get(ks)
    if (p === undefined) {
      const root = this.get(concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey))
      if (root === undefined) p = null
      else {
        try {
          p = TrieProof.fromNodes(root, this.nodes)
        } catch (e) {
          if (!(e instanceof TrieError && e.code === 'MissingRoot')) throw e
          p = 'missing'
        }
      }
      this.children.set(ks, p)
    }
    if (p === 'missing') throw new MissingStorageError(key, childKey, operation)
    return p
  }
  childGet(childKey: Uint8Array, key: Uint8Array) {
    const p = this.child(childKey, key, 'get')
    if (p === null) return undefined
    const r = p.get(key)
    if (r.kind === 'unknown') throw new MissingStorageError(key, childKey, 'get')
    return r.kind === 'value' ? r.value : undefined
  }
  childNextKey(childKey: Uint8Array, key: Uint8Array) {
    const p = this.child(childKey, key, 'nextKey')
    if (p === null) return undefined
    const r = p.nextKey(key)
    if (r.kind === 'unknown') throw new MissingStorageError(key, childKey, 'nextKey')
    return r.kind === 'found' ? r.key : undefined
  }
}

/** What a call read, per trie: enough to build a call proof from a full state afterwards. */
export interface StorageAccessLog {
  reads: Uint8Array[]
  nextKeys: Uint8Array[]
  childReads: [childKey: Uint8Array, key: Uint8Array][]
  childNextKeys: [childKey: Uint8Array, key: Uint8Array][]
}

/** Wraps a backend and records every key read and every next-key asked (for `light/2` call proofs). */
export class RecordingStorage implements StorageBackend {
  readonly log: StorageAccessLog = { reads: [], nextKeys: [], childReads: [], childNextKeys: [] }
  constructor(private readonly inner: StorageBackend) {}
  get(key: Uint8Array) {
    this.log.reads.push(key)
    return this.inner.get(key)
  }
  nextKey(key: Uint8Array) {
    this.log.nextKeys.push(key)
    return this.inner.nextKey(key)
  }
  childGet(childKey: Uint8Array, key: Uint8Array) {
    this.log.reads.push(concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey))
    this.log.childReads.push([childKey, key])
    return this.inner.childGet(childKey, key)
  }
  childNextKey(childKey: Uint8Array, key: Uint8Array) {
    this.log.reads.push(concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey))
    this.log.childNextKeys.push([childKey, key])
    return this.inner.childNextKey(childKey, key)
  }
  childKeys() {
    return this.inner.childKeys?.() ?? []
  }
  topEntries() {
    if (!this.inner.topEntries) throw new ExecutorError('StorageRootUnavailable', 'backend cannot enumerate its entries')
    return this.inner.topEntries()
  }
  childEntries(childKey: Uint8Array) {
    if (!this.inner.childEntries) throw new ExecutorError('StorageRootUnavailable', 'backend cannot enumerate its entries')
    return this.inner.childEntries(childKey)
  }
}

/** Changes to one trie: key → new value, or null for deleted. */
class TrieChanges {
  readonly map = new Map<string, Uint8Array | null>()
  private sorted: Uint8Array[] | undefined
  set(ks: string, v: Uint8Array | null): void {
    if (!this.map.has(ks)) this.sorted = undefined
    this.map.set(ks, v)
  }
  restore(ks: string, prev: Uint8Array | null | undefined): void {
    if (prev === undefined) {
      this.map.delete(ks)
      this.sorted = undefined
    } else this.map.set(ks, prev)
  }
  /** Smallest changed key strictly greater than `key`. */
  nextChangedKey(key: Uint8Array): Uint8Array | undefined {
    if (this.sorted === undefined) this.sorted = [...this.map.keys()].map(strKey).sort(compareBytes)
    const s = this.sorted
    let lo = 0
    let hi = s.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (compareBytes(s[mid], key) <= 0) lo = mid + 1
      else hi = mid
    }
    return s[lo]
  }
}

type JournalEntry = { child: string | undefined; ks: string; prev: Uint8Array | null | undefined }

/** The final changes of a call: per trie, sorted keys with their new value (null = deleted). */
export interface StorageChanges {
  top: [key: Uint8Array, value: Uint8Array | null][]
  children: { childKey: Uint8Array; changes: [key: Uint8Array, value: Uint8Array | null][] }[]
}

/** Storage changes over a backend, with nested transactions (start/commit/rollback). */
export class OverlayStorage {
  private readonly top = new TrieChanges()
  private readonly children = new Map<string, TrieChanges>()
  private readonly journals: JournalEntry[][] = []

  constructor(readonly backend: StorageBackend) {}

  private trie(child: string | undefined, create: boolean): TrieChanges | undefined {
    if (child === undefined) return this.top
    let t = this.children.get(child)
    if (t === undefined && create) {
      t = new TrieChanges()
      this.children.set(child, t)
    }
    return t
  }

  get(key: Uint8Array, childKey?: Uint8Array): Uint8Array | undefined {
    const t = this.trie(childKey && keyStr(childKey), false)
    const ks = keyStr(key)
    if (t?.map.has(ks)) return t.map.get(ks) ?? undefined
    return childKey ? this.backend.childGet(childKey, key) : this.backend.get(key)
  }

  set(key: Uint8Array, value: Uint8Array | null, childKey?: Uint8Array): void {
    const child = childKey && keyStr(childKey)
    const t = this.trie(child, true)!
    const ks = keyStr(key)
    const journal = this.journals[this.journals.length - 1]
    if (journal) journal.push({ child, ks, prev: t.map.has(ks) ? t.map.get(ks)! : undefined })
    t.set(ks, value)
  }

  /** Smallest key strictly greater than `key` in the merged view (backend + changes); `prefix`: see StorageBackend.nextKey. */
  nextKey(key: Uint8Array, childKey?: Uint8Array, prefix?: Uint8Array): Uint8Array | undefined {
    const t = this.trie(childKey && keyStr(childKey), false)
    let cursor = key
    for (;;) {
      const b = childKey ? this.backend.childNextKey(childKey, cursor, prefix) : this.backend.nextKey(cursor, prefix)
      // skip backend keys deleted in the overlay
      if (b !== undefined && t?.map.get(keyStr(b)) === null) {
        cursor = b
        continue
      }
      let o = t?.nextChangedKey(key)
      while (o !== undefined && t!.map.get(keyStr(o)) === null) o = t!.nextChangedKey(o)
      if (b === undefined) return o
      if (o === undefined) return b
      return compareBytes(o, b) < 0 ? o : b
    }
  }

  /**
   * Substrate's `clear_prefix` / `kill_child_storage` (sp-state-machine `Ext`), exactly: first every key
   * under `prefix` that the overlay holds is deleted (`overlay` counts those that had a value); then the
   * backend's keys under `prefix`, from `cursor` inclusive, at most `limit` of them (`loops`), each one
   * not already deleted in the overlay being deleted (`backend`). `cursor` in the result is the backend
   * key where the limit stopped it (pass it back to continue). Linear in the keys visited.
   */
  clearPrefix(prefix: Uint8Array, limit: number | undefined, cursor: Uint8Array | undefined, childKey?: Uint8Array): { cursor: Uint8Array | undefined; backend: number; overlay: number; loops: number } {
    const child = childKey && keyStr(childKey)
    const t = this.trie(child, false)
    const ps = keyStr(prefix)
    let overlay = 0
    if (t) {
      const under: string[] = []
      for (const [ks, v] of t.map) if (v !== null && ks.startsWith(ps)) under.push(ks)
      for (const ks of under) this.set(strKey(ks), null, childKey)
      overlay = under.length
    }
    const get = (k: Uint8Array) => (childKey ? this.backend.childGet(childKey, k) : this.backend.get(k))
    const next = (k: Uint8Array) => (childKey ? this.backend.childNextKey(childKey, k, prefix) : this.backend.nextKey(k, prefix))
    const start = cursor !== undefined && compareBytes(cursor, prefix) > 0 ? cursor : prefix
    let key = get(start) !== undefined ? start : next(start)
    let backend = 0
    let loops = 0
    while (key !== undefined && startsWith(key, prefix)) {
      if (limit !== undefined && loops === limit) return { cursor: key, backend, overlay, loops }
      if (this.trie(child, false)?.map.get(keyStr(key)) !== null) {
        this.set(key, null, childKey)
        backend++
      }
      loops++
      key = next(key)
    }
    return { cursor: undefined, backend, overlay, loops }
  }

  startTransaction(): void {
    this.journals.push([])
  }
  rollbackTransaction(): void {
    const j = this.journals.pop()
    if (j === undefined) throw new ExecutorError('BadHostCall', 'rollback without a transaction')
    for (let i = j.length - 1; i >= 0; i--) this.trie(j[i].child, true)!.restore(j[i].ks, j[i].prev)
  }
  commitTransaction(): void {
    const j = this.journals.pop()
    if (j === undefined) throw new ExecutorError('BadHostCall', 'commit without a transaction')
    const parent = this.journals[this.journals.length - 1]
    if (parent) parent.push(...j)
  }
  get transactionDepth(): number {
    return this.journals.length
  }

  /** Child trie keys touched by the overlay or present in the backend. */
  private allChildKeys(): Uint8Array[] {
    const seen = new Map<string, Uint8Array>()
    for (const k of this.backend.childKeys?.() ?? []) seen.set(keyStr(k), k)
    for (const k of this.children.keys()) seen.set(k, strKey(k))
    return [...seen.values()]
  }

  private mergedEntries(base: Iterable<Entry>, t: TrieChanges | undefined): Entry[] {
    const out: Entry[] = []
    for (const [k, v] of base) {
      if (t?.map.has(keyStr(k))) continue
      out.push([k, v])
    }
    if (t) for (const [ks, v] of t.map) if (v !== null) out.push([strKey(ks), v])
    return out
  }

  /** Root of a child trie after the changes (the empty-trie root when empty). */
  childRoot(childKey: Uint8Array, version: StateVersion): Uint8Array {
    if (this.backend instanceof MemoryStorage) {
      // this child's changes alone (in any order: a persistent trie applies them one by one)
      const t = this.children.get(keyStr(childKey))
      return this.backend.childRootAfter(childKey, t ? [...t.map].map(([ks, v]) => [strKey(ks), v] as const) : [], version)
    }
    if (!this.backend.childEntries) throw new ExecutorError('StorageRootUnavailable', 'the storage backend cannot enumerate entries (proof-backed state)')
    return trieRoot(this.mergedEntries(this.backend.childEntries(childKey), this.children.get(keyStr(childKey))), version)
  }

  /** State root after the changes, child tries included. Needs a backend holding the whole state. */
  root(version: StateVersion): Uint8Array {
    if (this.backend instanceof MemoryStorage) return this.backend.rootAfter(this.changes(), version)
    if (!this.backend.topEntries || !this.backend.childEntries) throw new ExecutorError('StorageRootUnavailable', 'the storage backend cannot enumerate entries (proof-backed state)')
    const top = this.mergedEntries(this.backend.topEntries(), this.top).filter(([k]) => !startsWithPrefix(k))
    const children = this.allChildKeys().map((ck) => [ck, this.mergedEntries(this.backend.childEntries!(ck), this.children.get(keyStr(ck)))] as const)
    return stateRoot(top, children, version)
  }

  /** The net changes, sorted, per trie (the child-root entries of the top trie are not among them: roots derive those). */
  changes(): StorageChanges {
    const sortChanges = (t: TrieChanges) => [...t.map].map(([ks, v]) => [strKey(ks), v] as [Uint8Array, Uint8Array | null]).sort((a, b) => compareBytes(a[0], b[0]))
    return {
      top: sortChanges(this.top),
      children: [...this.children].map(([ck, t]) => ({ childKey: strKey(ck), changes: sortChanges(t) })),
    }
  }
}

function startsWithPrefix(k: Uint8Array): boolean {
  return k.length >= CHILD_STORAGE_DEFAULT_PREFIX.length && bytesEqual(k.subarray(0, CHILD_STORAGE_DEFAULT_PREFIX.length), CHILD_STORAGE_DEFAULT_PREFIX)
}
