// `sublight dev --node-key <hex32>` fixes the node's peer id: the id it prints is the one libp2p derives
// from that Ed25519 seed (derived here with @libp2p/crypto, not by our code); a malformed key is one line
// and exit 1. With `--base-path` and no key, the identity made on first start is kept in
// `<dir>/chains/<id>/network/secret_ed25519` and reused: same peer id after a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'
import { DevProcess } from '../support/dev-process.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const spec = fixturePath('chain-specs', 'node-template.json')

test('dev --node-key fixes the peer id; --base-path keeps the identity it made; a bad key is one line', { ...needsFixtures, timeout: 90_000 }, async () => {
  const seed = new Uint8Array(32).map((_, i) => i + 1)
  const expected = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seed)).toString()
  const keyed = new DevProcess(['--chain', spec, '--node-key', Buffer.from(seed).toString('hex'), '--listen', '/ip4/127.0.0.1/tcp/0', '--no-rpc'])
  try {
    const addr = await keyed.start()
    assert.ok(addr.endsWith(`/p2p/${expected}`), `${addr} names ${expected}`)
  } finally {
    await keyed.kill('SIGINT')
  }

  const dir = mkdtempSync(join(tmpdir(), 'sublight-node-key-'))
  try {
    const args = ['--chain', spec, '--base-path', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-rpc']
    const first = new DevProcess(args)
    const id1 = (await first.start()).split('/p2p/')[1]
    await first.kill('SIGKILL')
    assert.ok(existsSync(join(dir, 'chains', 'local_testnet', 'network', 'secret_ed25519')), 'the key is kept beside the database')
    const second = new DevProcess(args)
    const id2 = (await second.start()).split('/p2p/')[1]
    await second.kill('SIGINT')
    assert.equal(id2, id1, 'the same peer id after a restart')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  for (const bad of ['zz', '0x1234']) {
    const r = spawnSync(process.execPath, [bin, 'dev', '--chain', spec, '--node-key', bad, '--no-rpc'], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 1, `--node-key ${bad}: exit 1`)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /--node-key/)
  }
})
