// A local network of four `sublight dev` processes on node-template (the built-in dev chain rewritten
// for Alice, Bob, Charlie and Dave as its 4 Aura and 4 GRANDPA authorities), each holding one key:
// they author in turn and finalize by GRANDPA votes over /grandpa/1, each justification signed by 3 or
// more of them; with one killed (SIGKILL) finality goes on; with a second killed it stalls while blocks go
// on (2 of 4 is below the 3-vote threshold); both restarted, they catch up (GRANDPA catch-up, block
// sync) and finality resumes, all four agreeing on the finalized hash. Each node checks the justification
// its round built with the verifier that checks real Westend and Polkadot ones before finalizing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Testnet, lastFinalityReport as lastVoted } from '../support/testnet.ts'
import { waitFor } from '../support/wait.ts'

test('testnet: 4 validators finalize by votes; one down, finality goes on; two down, it stalls; both back, it catches up', { timeout: 300_000 }, async () => {
  const net = await Testnet.start(4)
  const nodes = net.nodes
  const finalizedHead = (n: (typeof nodes)[number]) => net.finalized(nodes.indexOf(n))
  const bestNumber = async (n: (typeof nodes)[number]) => (await net.best(nodes.indexOf(n))).number
  try {
    // all four vote: justifications carry ≥ 3 precommits
    await waitFor(() => (lastVoted(nodes[0].proc)?.number ?? 0) >= 3, 90_000, () => `finality with 4 voters\n${nodes[0].proc.out}\n${nodes[0].proc.err}`)
    assert.ok(lastVoted(nodes[0].proc)!.precommits >= 3)

    // Dave down: three voters still finalize
    await nodes[3].proc.kill()
    const f1 = (await finalizedHead(nodes[0])).number
    await waitFor(async () => (await finalizedHead(nodes[0])).number >= f1 + 2, 90_000, () => `finality with 3 voters (from #${f1})\n${nodes[0].proc.out.slice(-2000)}`)

    // Charlie down too: two voters are below the threshold; blocks go on, finality stops
    await nodes[2].proc.kill()
    await new Promise((r) => setTimeout(r, 3_000))
    const stalled = await finalizedHead(nodes[0])
    const bestAtStall = await bestNumber(nodes[0])
    await waitFor(async () => (await bestNumber(nodes[0])) >= bestAtStall + 2, 60_000, 'blocks going on with two validators')
    assert.equal((await finalizedHead(nodes[0])).number, stalled.number, 'no finality with 2 of 4 voters')
    assert.equal((await finalizedHead(nodes[1])).number, stalled.number)

    // both back: they sync, catch up with the rounds, and finality resumes past the stall
    const bestBefore = await bestNumber(nodes[0])
    for (const i of [2, 3]) await nodes[i].proc.start()
    await waitFor(
      async () => {
        const heads = await Promise.all(nodes.map(finalizedHead))
        return heads.every((h) => h.number > bestBefore && h.hash === heads[0].hash)
      },
      120_000,
      async () => `finality catching up past #${bestBefore}: ${JSON.stringify(await Promise.all(nodes.map(finalizedHead)).catch(String))}\n${nodes[2].proc.out.slice(-1500)}\n${nodes[2].proc.err.slice(-3000)}`,
    )
    // and they stay on one finalized chain: at the height all four have finalized by now (one may be a
    // block ahead of the others for a moment), every node has the same block
    const heads = await Promise.all(nodes.map(finalizedHead))
    const common = Math.min(...heads.map((h) => h.number))
    const hashes = await Promise.all(nodes.map((_, i) => net.hashAt(i, common)))
    assert.ok(common > bestBefore && hashes.every((h) => h === hashes[0]), `all four on the same finalized chain at #${common}: ${hashes.join(', ')}`)
  } finally {
    await net.stop()
  }
})
