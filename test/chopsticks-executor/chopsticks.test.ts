// Chopsticks itself on our executor (issue 28, acceptance 2 and 3). `npm run pack:chopsticks-executor`
// makes the two tarballs; two fresh projects install @acala-network/chopsticks 1.5.1, one as published,
// one with the npm `overrides` entry a user adds (`test/support/chopsticks-fork.ts`). Both fork the same
// block of a running `sublight dev` and build the same blocks with `dev_newBlock` (node-template: 20
// blocks then a signed transfer; polkadot-dev: 5 blocks); the block hashes, and the whole state at the head
// (every key and value, and the trie root over them), must be the same with either executor. The wall
// time of `dev_newBlock` with each is printed (`npm run bench chopsticks-newblock` measures it).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { trieRoot } from '../../src/trie/index.ts'
import { needsFixtures } from '../support/fixtures.ts'
import { chopsticksFork, chopsticksProjects, devToFork, wholeState } from '../support/chopsticks-fork.ts'

const work = mkdtempSync(join(tmpdir(), 'sublight-chopsticks-'))
const children: ChildProcess[] = []
after(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

let projects: Promise<{ original: string; ours: string }> | undefined

async function sameChain(chain: string, blocks: number, withTransfer: boolean): Promise<void> {
  const { original, ours } = await (projects ??= chopsticksProjects(work))
  const { dev, url, base } = await devToFork(chain, children)
  const theirs = await chopsticksFork(original, url, base, `chopsticks (${chain}, its own executor)`, children)
  const mine = await chopsticksFork(ours, url, base, `chopsticks (${chain}, sublight's executor)`, children)
  try {
    const times = { theirs: 0, mine: 0 }
    const hashes = { theirs: [] as string[], mine: [] as string[] }
    // block by block on both sides in turn (Chopsticks' relay inherents read from the upstream node, which goes on)
    const newBlock = async () => {
      for (const [side, c] of [['theirs', theirs.rpc], ['mine', mine.rpc]] as const) {
        const t0 = performance.now()
        hashes[side].push((await c.call('dev_newBlock', [{ count: 1 }])) as string)
        times[side] += performance.now() - t0
      }
    }
    for (let i = 0; i < blocks; i++) await newBlock()
    if (withTransfer) {
      // one signed transfer (sr25519 signatures are randomized: sign once, submit the same bytes to both)
      const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${theirs.match[1]}`), noInitWarn: true })
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice')
      const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob')
      const tx = (await api.tx.balances.transferKeepAlive(bob.address, 10n ** 12n).signAsync(alice, { era: 0 })).toHex()
      await api.disconnect()
      for (const c of [theirs.rpc, mine.rpc]) await c.call('author_submitExtrinsic', [tx])
      await newBlock()
      const block = (await mine.rpc.call('chain_getBlock', [hashes.mine.at(-1)])) as { block: { extrinsics: string[] } }
      assert.ok(block.block.extrinsics.includes(tx), 'the transfer is in the last block built on our executor')
    }
    console.log(`# ${chain}: dev_newBlock ×${hashes.mine.length}: Chopsticks' own executor ${times.theirs.toFixed(0)} ms, sublight's ${times.mine.toFixed(0)} ms (${(times.mine / times.theirs).toFixed(2)}×)`)
    assert.deepEqual(hashes.mine, hashes.theirs, 'the same block hashes')
    const [stateTheirs, stateMine] = [await wholeState(theirs.rpc), await wholeState(mine.rpc)]
    assert.equal(stateMine.length, stateTheirs.length, 'the same number of keys')
    assert.deepEqual(stateMine, stateTheirs, 'the same state, key by key')
    const rootOf = (s: [string, string][]) => toHex(trieRoot(s.map(([k, v]) => [fromHex(k), fromHex(v)] as const), 0))
    assert.equal(rootOf(stateMine), rootOf(stateTheirs), 'the same state root')
  } finally {
    theirs.rpc.close()
    mine.rpc.close()
    for (const p of [theirs, mine, dev]) p.child.kill('SIGKILL')
  }
}

test('Chopsticks on sublight/chopsticks-executor (npm overrides): 20 node-template blocks and a transfer, the same hashes and state as on its own executor', { ...needsFixtures, timeout: 900_000 }, async () => {
  await sameChain('node-template', 20, true)
})

test('Chopsticks on sublight/chopsticks-executor: 5 polkadot-dev (relay chain) blocks, the same hashes and state as on its own executor', { ...needsFixtures, timeout: 900_000 }, async () => {
  await sameChain('polkadot-dev', 5, false)
})
