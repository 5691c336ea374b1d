// A second node, `sublight node`, syncs a `sublight dev` chain from genesis with full execution (Aura
// seal checked, body executed, state root checked by the runtime, GRANDPA justifications verified) and
// reaches the same best block — hence the same state root — and finality, then follows new blocks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const lines = (out: string) => [...out.matchAll(/^#(\d+) (0x[0-9a-f]{64}) finalized #(\d+)/gm)].map((m) => ({ number: Number(m[1]), hash: m[2], finalized: Number(m[3]) }))

test('sublight node syncs a devnet from genesis with execution and follows it', { ...needsFixtures, timeout: 120_000 }, async () => {
  const spec = fixturePath('chain-specs', 'node-template.json')
  const dev = spawn(process.execPath, [bin, 'dev', '--chain', spec, '--tmp', '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'])
  let devOut = ''
  dev.stdout.on('data', (d) => (devOut += d))
  let node: ReturnType<typeof spawn> | undefined
  let nodeOut = ''
  let nodeErr = ''
  try {
    for (let i = 0; i < 600 && lines(devOut).length < 3; i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(lines(devOut).length >= 3, devOut)
    const addr = devOut.split('\n').find((l) => l.startsWith('listening on '))!.slice('listening on '.length)
    node = spawn(process.execPath, [bin, 'node', '--chain', spec, '--tmp', '--bootnodes', addr, '--listen', '/ip4/127.0.0.1/tcp/0'])
    node.stdout!.on('data', (d) => (nodeOut += d))
    node.stderr!.on('data', (d) => (nodeErr += d))
    // caught up: the node's newest block is the dev node's newest, with the same hash, and it follows a new one
    const caughtUp = () => {
      const d = lines(devOut)
      const n = lines(nodeOut)
      const last = n.at(-1)
      return last !== undefined && d.some((b) => b.number === last.number && b.hash === last.hash) && last.number >= d.at(-1)!.number
    }
    for (let i = 0; i < 600 && !caughtUp(); i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(caughtUp(), `node did not catch up\ndev:\n${devOut}\nnode:\n${nodeOut}\n${nodeErr}`)
    const imported = lines(nodeOut)
    assert.equal(imported[0].number, 1, 'synced from genesis')
    for (const b of imported) assert.equal(lines(devOut).find((d) => d.number === b.number)?.hash, b.hash, `block #${b.number} matches`)
    const target = lines(devOut).at(-1)!.number + 1
    for (let i = 0; i < 400 && !lines(nodeOut).some((b) => b.number === target); i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(lines(nodeOut).some((b) => b.number === target && lines(devOut).some((d) => d.hash === b.hash)), 'follows a newly authored block')
    assert.ok(lines(nodeOut).at(-1)!.finalized >= 1, 'finality verified from justifications')
  } finally {
    node?.kill('SIGTERM')
    dev.kill('SIGTERM')
  }
})
