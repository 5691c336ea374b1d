// State roots as `@acala-network/chopsticks-executor` answers `ext_storage_root` and
// `ext_default_child_storage_root`. Chopsticks feeds the executor storage one key at a time and never the
// trie's structure: smoldot's root calculator asks for the closest descendant of each node in the base
// trie, Chopsticks answers "none", so the root it computes is the root of a trie holding only the values
// the call (and the task's earlier calls) wrote, plus any base value that sits exactly on one of that
// trie's branch nodes (the calculator reads those). Chopsticks puts a zero state root in the headers it
// builds, but the runtime's `finalize_block` output holds this one, so a drop-in must give the same.
// Pure: the base value at a key comes from a function.

import { bytesEqual, concatBytes } from '../codec/index.ts'
import { strKey } from '../executor/storage.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, EMPTY_TRIE_ROOT, trieRoot, type Entry, type StateVersion } from '../trie/index.ts'

/** A trie's changes: binary-string key (as `keyStr` makes them) → new value, null = deleted. */
export type TrieDiff = ReadonlyMap<string, Uint8Array | null>

/** Length in nibbles of the common prefix of two keys. */
function commonNibbles(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === n) return 2 * n
  return (a.charCodeAt(i) >> 4) === (b.charCodeAt(i) >> 4) ? 2 * i + 1 : 2 * i
}

/**
 * The root of `diff`'s written values over a base trie whose structure is unknown: the branch nodes of
 * the written keys' trie take the base's value at their key (`baseValue`) when they fall on a byte
 * boundary and the diff does not delete it. The empty-trie root when nothing is written.
 */
export function diffOnlyRoot(diff: TrieDiff, baseValue: (key: Uint8Array) => Uint8Array | undefined, version: StateVersion): Uint8Array {
  const written: string[] = []
  for (const [k, v] of diff) if (v !== null) written.push(k)
  if (written.length === 0) return EMPTY_TRIE_ROOT
  written.sort()
  const entries: Entry[] = written.map((k) => [strKey(k), diff.get(k)!] as const)
  const branches = new Set<string>()
  for (let i = 0; i + 1 < written.length; i++) {
    const nibbles = commonNibbles(written[i], written[i + 1])
    if (nibbles % 2 !== 0) continue
    const key = written[i].slice(0, nibbles / 2)
    if (key === written[i] || diff.has(key) || branches.has(key)) continue
    branches.add(key)
    const value = baseValue(strKey(key))
    if (value !== undefined) entries.push([strKey(key), value])
  }
  return trieRoot(entries, version)
}

/** The top-trie key holding a default child trie's root. */
export function childRootKey(childKey: Uint8Array): Uint8Array {
  return concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey)
}

/** What the top trie holds for a child trie of this root: the root, or nothing (deleted) for an empty trie. */
export function childRootValue(root: Uint8Array): Uint8Array | null {
  return bytesEqual(root, EMPTY_TRIE_ROOT) ? null : root
}
