// Runs one Chopsticks task on our executor, synchronously: the runtime calls in order over storage that
// comes from the caller's callbacks (`ask`, which blocks until the answer is there: the worker makes it
// so), each call seeing the earlier ones' changes, with `@acala-network/chopsticks-executor`'s semantics —
// 2048 heap pages whatever `:heappages` says, storage roots over the written values only (`diff-root.ts`),
// child-trie roots written into the top trie when a call ends, mock signatures, offchain storage kept in
// the task's diff, runtime logs as smoldot reports them. Everything the task cannot do comes back as
// `{ Error }`, never as a throw.

import { bytesEqual, concatBytes, fromHex, toHex } from '../codec/index.ts'
import { ExecutorError, MissingStorageError, OFFCHAIN_LOCAL, OverlayStorage, Runtime, type OffchainHost, type RuntimeLog, type StorageBackend, type StorageRoots } from '../executor/index.ts'
import { keyStr, strKey, type StorageChanges } from '../executor/storage.ts'
import { CHILD_STORAGE_DEFAULT_PREFIX, type StateVersion } from '../trie/index.ts'
import { childRootKey, childRootValue, diffOnlyRoot } from './diff-root.ts'
import type { CallbackName, HexString, LogInfo, TaskCall, TaskResponse } from './types.ts'

/** Heap pages the original executor gives every call. */
export const TASK_HEAP_PAGES = 2048

/** Asks the caller's callback `name` and waits for its answer (throws CallbackError when it fails). */
export type Ask = (name: CallbackName, args: string[]) => unknown

/** A callback that threw, rejected, answered nonsense or did not answer in time. */
export class CallbackError extends Error {
  override readonly name = 'CallbackError'
}

function hexAnswer(name: CallbackName, v: unknown): Uint8Array | undefined {
  if (typeof v !== 'string') return undefined
  try {
    return fromHex(v)
  } catch {
    throw new CallbackError(`${name} answered ${JSON.stringify(v.slice(0, 40))}, which is not hex`)
  }
}

/** The task's base state: every read goes to the callbacks, each key once per task. */
export class CallbackStorage implements StorageBackend {
  private readonly values = new Map<string, Uint8Array | undefined>()
  constructor(private readonly ask: Ask) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const ks = keyStr(key)
    if (this.values.has(ks)) return this.values.get(ks)
    const v = hexAnswer('getStorage', this.ask('getStorage', [toHex(key)]))
    this.values.set(ks, v)
    return v
  }
  nextKey(key: Uint8Array, prefix?: Uint8Array): Uint8Array | undefined {
    return hexAnswer('getNextKey', this.ask('getNextKey', [toHex(prefix ?? new Uint8Array()), toHex(key)]))
  }
  childGet(childKey: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    return this.get(concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey, key))
  }
  /** Chopsticks answers a child trie's next key without the child's prefix. */
  childNextKey(childKey: Uint8Array, key: Uint8Array, prefix?: Uint8Array): Uint8Array | undefined {
    const trie = concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey)
    return hexAnswer('getNextKey', this.ask('getNextKey', [toHex(concatBytes(trie, prefix ?? new Uint8Array())), toHex(concatBytes(trie, key))]))
  }
}

/** The task's state so far (base + earlier calls' changes) as a backend for the next call. */
function overlayBackend(o: OverlayStorage): StorageBackend {
  return {
    get: (k) => o.get(k),
    nextKey: (k, p) => o.nextKey(k, undefined, p),
    childGet: (ck, k) => o.get(k, ck),
    childNextKey: (ck, k, p) => o.nextKey(k, ck, p),
  }
}

function changesMap(entries: StorageChanges['top']): Map<string, Uint8Array | null> {
  return new Map(entries.map(([k, v]) => [keyStr(k), v]))
}

/**
 * Roots as the original computes them. A root request first writes the roots of the child tries this
 * call changed into the top trie (as smoldot does), then hashes the top trie's written values.
 */
function taskRoots(earlier: OverlayStorage, base: CallbackStorage, version: StateVersion): StorageRoots & { flushChildren(o: OverlayStorage): void } {
  const childRoot = (o: OverlayStorage, childKey: Uint8Array, changes: StorageChanges['top']): Uint8Array => {
    const root = diffOnlyRoot(changesMap(changes), (k) => base.childGet(childKey, k), version)
    o.set(childRootKey(childKey), childRootValue(root))
    return root
  }
  const flushChildren = (o: OverlayStorage) => {
    for (const { childKey, changes } of o.changes().children) childRoot(o, childKey, changes)
  }
  return {
    flushChildren,
    root(o) {
      flushChildren(o)
      const diff = changesMap(earlier.changes().top)
      for (const [k, v] of o.changes().top) diff.set(keyStr(k), v)
      return diffOnlyRoot(diff, (k) => base.get(k), version)
    },
    childRoot(o, childKey) {
      const mine = o.changes().children.find((c) => keyStr(c.childKey) === keyStr(childKey))
      return childRoot(o, childKey, mine?.changes ?? [])
    },
  }
}

/**
 * Offchain storage as the original keeps it: persistent-storage writes go to the task's offchain diff
 * (a compare-and-set compares with that diff only), reads go to the callback, local storage is a no-op.
 */
function taskOffchain(ask: Ask, diff: Map<string, Uint8Array | null>): OffchainHost {
  return {
    isValidator: () => true,
    submitTransaction: (tx) => ask('offchainSubmitTransaction', [toHex(tx)]) === true,
    timestamp: () => {
      const t = ask('offchainTimestamp', [])
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw new CallbackError(`offchainTimestamp answered ${String(t)}, not a timestamp`)
      return BigInt(t)
    },
    randomSeed: () => {
      const seed = hexAnswer('offchainRandomSeed', ask('offchainRandomSeed', []))
      if (seed?.length !== 32) throw new CallbackError('offchainRandomSeed must answer 32 bytes of hex')
      return seed
    },
    get: (kind, key) => (kind === OFFCHAIN_LOCAL ? undefined : hexAnswer('offchainGetStorage', ask('offchainGetStorage', [toHex(key)]))),
    set: (kind, key, value) => {
      if (kind !== OFFCHAIN_LOCAL) diff.set(keyStr(key), value)
    },
    compareAndSet: (kind, key, old, value) => {
      if (kind === OFFCHAIN_LOCAL) return false
      const ks = keyStr(key)
      const current = diff.get(ks)
      const replace = current && old ? bytesEqual(current, old) : true
      if (replace) diff.set(ks, value)
      return replace
    },
  }
}

function logInfo(l: RuntimeLog): LogInfo {
  if (l.print) return { message: l.print === 'hex' ? `"${l.message.slice(2)}"` : l.message, level: undefined, target: undefined }
  return { message: l.message, level: l.level - 1, target: l.target }
}

function sortedDiff(entries: Iterable<[string, Uint8Array | null]>): [HexString, HexString | undefined][] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => [toHex(strKey(k)) as HexString, v === null ? undefined : (toHex(v) as HexString)])
}

function signatureMock(m: TaskCall['mockSignatureHost']): 'magic' | 'always' | undefined {
  if (m === true || m === 1) return 'magic'
  if (m === 2) return 'always'
  return undefined
}

const stateVersions = new WeakMap<Runtime, StateVersion>()
/** The runtime's trie version, as the original takes it (its `Core_version`; 0 when it predates the field). */
export function stateVersionOf(rt: Runtime): StateVersion {
  let v = stateVersions.get(rt)
  if (v === undefined) {
    v = rt.version().stateVersion
    stateVersions.set(rt, v)
  }
  return v
}

/** Runs `task` on `rt` (compiled from `task.wasm`), storage from `ask`. */
export function runTask(rt: Runtime, task: Omit<TaskCall, 'wasm'>, ask: Ask): TaskResponse {
  try {
    if (!Array.isArray(task.calls)) return { Error: 'task.calls must be an array of [method, [argsHex]]' }
    const base = new CallbackStorage(ask)
    const state = new OverlayStorage(base)
    const offchainDiff = new Map<string, Uint8Array | null>()
    const offchain = taskOffchain(ask, offchainDiff)
    const version = stateVersionOf(rt)
    const logs: LogInfo[] = []
    const proofSize = BigInt(task.storageProofSize ?? 0)
    let result: Uint8Array = new Uint8Array()
    for (const call of task.calls) {
      const [method, args] = call
      if (typeof method !== 'string' || !Array.isArray(args)) return { Error: 'each call must be [method, [argsHex]]' }
      const roots = taskRoots(state, base, version)
      const res = rt.call(method, concatBytes(...args.map((a) => fromHex(a))), {
        storage: overlayBackend(state),
        heapPages: TASK_HEAP_PAGES,
        maxLogLevel: task.runtimeLogLevel ?? 0,
        proofSize: () => proofSize,
        signatureMock: signatureMock(task.mockSignatureHost),
        roots,
        offchain,
      })
      // a call that changed a child trie ends with that trie's root written in the top trie
      roots.flushChildren(res.overlay)
      const changes = res.overlay.changes()
      for (const [k, v] of changes.top) state.set(k, v)
      for (const { childKey, changes: cs } of changes.children) for (const [k, v] of cs) state.set(k, v, childKey)
      for (const [k, v] of res.offchainIndex) offchainDiff.set(keyStr(k), v)
      for (const l of res.logs) logs.push(logInfo(l))
      result = res.output
    }
    const all = state.changes()
    const diff: [string, Uint8Array | null][] = all.top.map(([k, v]) => [keyStr(k), v])
    for (const { childKey, changes } of all.children) for (const [k, v] of changes) diff.push([keyStr(concatBytes(CHILD_STORAGE_DEFAULT_PREFIX, childKey, k)), v])
    return { Call: { result: toHex(result) as HexString, storageDiff: sortedDiff(diff), offchainStorageDiff: sortedDiff(offchainDiff), runtimeLogs: logs } }
  } catch (e) {
    return { Error: taskErrorMessage(e) }
  }
}

export function taskErrorMessage(e: unknown): string {
  if (e instanceof ExecutorError) return e.details.panicMessage && !e.message.includes(e.details.panicMessage) ? `${e.message} (${e.details.panicMessage})` : e.message
  if (e instanceof MissingStorageError) return e.message
  if (e instanceof CallbackError) return `storage callback failed: ${e.message}`
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
