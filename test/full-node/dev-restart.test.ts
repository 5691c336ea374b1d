// `sublight dev --base-path`: killed with SIGKILL while authoring, then restarted on the same directory,
// the node resumes at its last stored block and keeps authoring on top of it (twice in a row).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

test('dev --base-path: kill -9 during authoring, restart, the chain continues', { ...needsFixtures, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sublight-dev-'))
  try {
    let lastBlock: { number: number; hash: string } | undefined
    for (let round = 0; round < 3; round++) {
      const p = spawn(process.execPath, [bin, 'dev', '--chain', fixturePath('chain-specs', 'node-template.json'), '--base-path', dir, '--alice', '--bob', '--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0'])
      let out = ''
      p.stdout.on('data', (d) => (out += d))
      let errOut = ''
      p.stderr.on('data', (d) => (errOut += d))
      const blocks = () => [...out.matchAll(/^#(\d+) (0x[0-9a-f]{64}) finalized #(\d+)/gm)].map((m) => ({ number: Number(m[1]), hash: m[2], finalized: Number(m[3]) }))
      for (let i = 0; i < 400 && blocks().length < 1; i++) await new Promise((r) => setTimeout(r, 50))
      p.kill('SIGKILL')
      await new Promise((r) => p.once('exit', r))
      const got = blocks()
      assert.ok(got.length >= 1, `round ${round}: no block authored\n${out}\n${errOut}`)
      if (lastBlock) {
        const resumed = /^resuming at #(\d+) (0x[0-9a-f]{64})/m.exec(out)
        assert.ok(resumed, `round ${round}: no resume line\n${out}`)
        assert.ok(Number(resumed[1]) >= lastBlock.number, 'nothing reported before the kill is lost')
        if (Number(resumed[1]) === lastBlock.number) assert.equal(resumed[2], lastBlock.hash)
        assert.equal(got[0].number, Number(resumed[1]) + 1, 'the first new block extends the stored best block')
      } else assert.equal(got[0].number, 1)
      lastBlock = got[got.length - 1]
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
