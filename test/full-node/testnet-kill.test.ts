// Acceptance (#26, item 5): kill -9 of any node of a 4-validator local network at random moments,
// repeated, never loses a finalized block nor damages a store: each killed node restarts from its database
// (which opens and checks its best state root, or the start fails), its finalized block is at least the one
// it reported just before the kill, with the same hash at that height, and in the end all four agree on
// the finalized chain and finality still moves. The moments come from a seeded PRNG named on failure.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Testnet, rpc } from '../support/testnet.ts'
import { seededRandom } from '../support/random.ts'
import { waitFor } from '../support/wait.ts'

test('testnet: kill -9 of random nodes at random moments loses no finalized block and damages no store', { timeout: 300_000 }, async () => {
  const rnd = seededRandom('testnet kill -9')
  const net = await Testnet.start(4)
  try {
    await waitFor(async () => (await net.finalized(0)).number >= 2, 90_000, 'first finality')
    for (let round = 0; round < 5; round++) {
      const i = Math.floor(rnd.next() * 4)
      await new Promise((r) => setTimeout(r, Math.floor(rnd.next() * 6000)))
      const before = await net.finalized(i)
      await net.nodes[i].proc.kill('SIGKILL')
      await net.nodes[i].proc.start()
      assert.match(net.nodes[i].proc.out, /resuming at #\d+/, `${rnd.describe()}: node ${i} resumed from its database`)
      const after = await net.finalized(i)
      assert.ok(after.number >= before.number, `${rnd.describe()}: node ${i} finalized #${after.number} after the kill, #${before.number} before`)
      assert.equal(await rpc(net.nodes[i].rpcUrl, 'chain_getBlockHash', [before.number]), before.hash, `${rnd.describe()}: node ${i} keeps its finalized block`)
    }
    // everyone on one finalized chain, still moving
    const start = Math.max(...(await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i)))).map((f) => f.number))
    await waitFor(async () => (await Promise.all([0, 1, 2, 3].map((i) => net.finalized(i)))).every((f) => f.number > start), 90_000, `${rnd.describe()}: finality moving on every node past #${start}`)
    const at = (await Promise.all([0, 1, 2, 3].map((i) => rpc(net.nodes[i].rpcUrl, 'chain_getBlockHash', [start])))) as string[]
    assert.ok(at.every((h) => h === at[0]), `${rnd.describe()}: all four agree on #${start}`)
  } finally {
    await net.stop()
  }
})
