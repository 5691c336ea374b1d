// Runtime calls side by side with @acala-network/chopsticks-executor (smoldot's wasmi interpreter):
// Metadata_metadata cold (load + compile + call) and warm on three genesis states, Core_version, and
// each recorded child-trie block executed with Core_execute_block.
import { readFileSync, readdirSync } from 'node:fs'
import { chopsticksCall } from '../test/support/chopsticks.ts'
import { Writer, concatBytes, fromHex, toHex, utf8 } from '../src/codec/index.ts'
import { parseChainSpec } from '../src/chain-spec/index.ts'
import { MemoryStorage, Runtime } from '../src/executor/index.ts'
import { row, timeMedian, timeMedianAsync } from './util.ts'

const FX = process.env.SUBLIGHT_FIXTURES ?? new URL('../../shared/fixtures/', import.meta.url).pathname
const CODE = utf8(':code')

const refCall = chopsticksCall

for (const spec of ['node-template', 'westend-genesis', 'polkadot-dev']) {
  const s = parseChainSpec(readFileSync(`${FX}/chain-specs/${spec}.json`, 'utf8'))
  if (s.genesis.kind !== 'raw') continue
  const st = new MemoryStorage(s.genesis.top, s.genesis.childrenDefault.map((c) => [c.childKey, c.entries] as const))
  const code = st.get(CODE)!
  const codeHex = toHex(code)
  const refCold = await timeMedianAsync(() => refCall(st, codeHex, 'Metadata_metadata', '0x'), 3, 0)
  const oursCold = timeMedian(() => Runtime.load(code, { noCache: true }).call('Metadata_metadata', new Uint8Array(), { storage: st }), 3, 0)
  row(`${spec} Metadata_metadata cold`, oursCold, refCold)
  const rt = Runtime.load(code)
  row(`${spec} Metadata_metadata warm`, timeMedian(() => rt.call('Metadata_metadata', new Uint8Array(), { storage: st }), 9, 2), await timeMedianAsync(() => refCall(st, codeHex, 'Metadata_metadata', '0x'), 9, 2))
  row(`${spec} Core_version warm`, timeMedian(() => rt.call('Core_version', new Uint8Array(), { storage: st }), 15, 3), await timeMedianAsync(() => refCall(st, codeHex, 'Core_version', '0x'), 15, 3))
}

for (const f of readdirSync(`${FX}/blocks`).filter((x) => x.startsWith('child-trie-')).sort()) {
  const j = JSON.parse(readFileSync(`${FX}/blocks/${f}`, 'utf8'))
  const top = Object.entries(j.parentStorage.mainTrie as Record<string, string>).map(([k, v]) => [fromHex(k), fromHex(v)] as const)
  const children = Object.entries(j.parentStorage.childTries as Record<string, Record<string, string>>).map(([ck, m]) => [fromHex(ck), Object.entries(m).map(([k, v]) => [fromHex(k), fromHex(v)] as const)] as const)
  const st = new MemoryStorage(top, children)
  const body = (j.block.body as string[]).map(fromHex)
  const args = concatBytes(fromHex(j.block.header), new Writer().compact(body.length).finish(), ...body)
  const rt = Runtime.load(st.get(CODE)!)
  // The reference's storage callback cannot see child tries, so it is timed on the same call for the
  // top-trie part only when it succeeds; ours includes computing the new state root (V1).
  const ours = timeMedian(() => rt.call('Core_execute_block', args, { storage: st }).stateRoot(1), 7, 1)
  // The reference cannot see child tries through its storage callback, so its run ends in the runtime's
  // state-root check (a full block's work all the same); its console noise is silenced while timed.
  const saved = [console.log, console.info, console.warn, console.error]
  const mute = () => {}
  console.log = console.info = console.warn = console.error = mute
  let ref: number
  try {
    ref = await timeMedianAsync(() => refCall(st, toHex(st.get(CODE)!), 'Core_execute_block', toHex(args)).catch(() => undefined), 7, 1)
  } finally {
    ;[console.log, console.info, console.warn, console.error] = saved
  }
  row(`block ${f.replace('.json', '').replace('child-trie-', 'child-trie ')} (*)`, ours, ref)
}
console.log('(*) the reference fails its root check on these blocks: its storage callback cannot serve child tries')
