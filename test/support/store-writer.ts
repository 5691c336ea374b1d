// Child process for the kill -9 tests: opens the chain database at argv[2] (node-template), then
// authors blocks as fast as it can (next slot each time), finalizing every other block, printing
// `ready #<best>` once open and `#<n>` after each block is stored. The parent kills it at random moments.
import { toHex } from '../../src/codec/index.ts'
import { parseChainSpec } from '../../src/chain-spec/index.ts'
import { ed25519FromSuri, sr25519FromSuri } from '../../src/crypto/index.ts'
import { Reader } from '../../src/codec/index.ts'
import { DevChain, authorAuraBlock, localJustification, runtimeAt } from '../../src/full-node/index.ts'
import { auraSlot } from '../../src/verify/index.ts'
import { readFixtureText } from './fixtures.ts'

const spec = parseChainSpec(readFixtureText('chain-specs', 'node-template.json'))
const chain = DevChain.open(spec, process.argv[2], Number(process.argv[3] ?? 256))
const keys = { alice: sr25519FromSuri('//Alice'), bob: sr25519FromSuri('//Bob') }
const grandpaKeys = [ed25519FromSuri('//Alice'), ed25519FromSuri('//Bob')]
const g = chain.bestBlock
const authorities = new Reader(runtimeAt(g.state).call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: g.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() }))
const set = { setId: 0n, authorities }
process.stdout.write(`ready #${g.header.number} ${toHex(g.hash)}\n`)
for (;;) {
  const best = chain.bestBlock
  const slot = best.header.number === 0 ? 1_000_000n : auraSlot(best.header) + 1n
  const author = slot % 2n === 0n ? keys.alice : keys.bob // node-template's Aura authorities: [Alice, Bob]
  const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * 6000n, author })
  const hash = chain.add(block, state)
  if (block.header.number % 2 === 0) chain.finalize(hash, localJustification(block.header, BigInt(block.header.number), set, grandpaKeys).encoded)
  process.stdout.write(`#${block.header.number}\n`)
}
