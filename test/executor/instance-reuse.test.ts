// Instance reuse must not leak state between calls: a hand-assembled module keeps a counter in a
// mutable global (as a runtime's stack pointer is one). Each successful call must see the global at its
// initial value again, and a failed call must leave nothing behind for the next one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ExecutorError, Runtime } from '../../src/executor/index.ts'
import { EXPOSED_GLOBAL_PREFIX, exposeMutableGlobals } from '../../src/executor/wasm-module.ts'
import { decompressRuntimeCode } from '../../src/executor/runtime-code.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { genesisState } from '../../src/full-node/index.ts'
import { needsFixtures, readFixtureText } from '../support/fixtures.ts'

const uleb = (n: number) => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}
const sleb64 = (v: bigint) => {
  const out: number[] = []
  for (;;) {
    const b = Number(v & 0x7fn)
    v >>= 7n
    if ((v === 0n && !(b & 0x40)) || (v === -1n && b & 0x40)) return [...out, b]
    out.push(b | 0x80)
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)]
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()]

/** (global $counter (mut i32) 0); `bump` increments it and returns it as a 4-byte output; `fail` increments it and traps. */
function counterModule(): Uint8Array {
  const incr = [0x23, 0, 0x41, 1, 0x6a, 0x24, 0]
  const bump = [0, ...incr, 0x41, ...uleb(256), 0x23, 0, 0x36, 2, 0, 0x42, ...sleb64((4n << 32n) | 256n), 0x0b]
  const fail = [0, ...incr, 0x00, 0x0b]
  return Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, 2, 0x7f, 0x7f, 1, 0x7e]])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0, 1]])),
    ...section(6, vec([[0x7f, 1, 0x41, 0, 0x0b], [0x7f, 0, 0x41, ...uleb(1024), 0x0b]])),
    ...section(7, vec([[...name('memory'), 2, 0], [...name('__heap_base'), 3, 1], [...name('bump'), 0, 0], [...name('fail'), 0, 1]])),
    ...section(10, vec([[...uleb(bump.length), ...bump], [...uleb(fail.length), ...fail]])),
  ])
}

test('exposeMutableGlobals exports exactly the mutable globals and keeps the module valid', () => {
  const wasm = exposeMutableGlobals(counterModule())
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name)
  assert.deepEqual(exports.filter((n) => n.startsWith(EXPOSED_GLOBAL_PREFIX)), [`${EXPOSED_GLOBAL_PREFIX}0`])
  assert.ok(exports.includes('bump') && exports.includes('__heap_base'))
})

test('a reused instance starts every call with its mutable globals reset; a failed call leaves nothing behind', () => {
  const rt = Runtime.load(counterModule(), { noCache: true })
  const counter = () => new DataView(rt.call('bump', new Uint8Array(), { heapPages: 1 }).output.buffer).getUint32(0, true)
  assert.equal(counter(), 1)
  assert.equal(counter(), 1, 'the second call on the pooled instance sees the initial global again')
  assert.throws(() => rt.call('fail', new Uint8Array(), { heapPages: 1 }), (e: unknown) => e instanceof ExecutorError && e.code === 'Trap')
  assert.equal(counter(), 1, 'after a trap, the next call does not inherit the failed call\'s state')
  assert.equal(counter(), 1)
})

test('real runtimes (with an import section) get their mutable globals exposed, so their instances are reused', needsFixtures, () => {
  // regression: a misread import section made every real runtime fall back to one instance per call (10× slower blocks)
  for (const f of ['node-template.json', 'polkadot-dev.json']) {
    const wasm = decompressRuntimeCode(genesisState(parseChainSpec(readFixtureText('chain-specs', f))).get(new TextEncoder().encode(':code'))!)
    const exposed = exposeMutableGlobals(wasm)
    const before = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)
    const after = new WebAssembly.Module(exposed as Uint8Array<ArrayBuffer>)
    assert.deepEqual(WebAssembly.Module.imports(after), WebAssembly.Module.imports(before), `${f}: imports unchanged`)
    const added = WebAssembly.Module.exports(after).filter((e) => e.name.startsWith(EXPOSED_GLOBAL_PREFIX))
    assert.ok(added.length >= 1 && added.every((e) => e.kind === 'global'), `${f}: the stack pointer and other mutable globals exported`)
    assert.equal(WebAssembly.Module.exports(after).length, WebAssembly.Module.exports(before).length + added.length)
  }
})
