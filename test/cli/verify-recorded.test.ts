// `sublight verify justification | warp | blocks` on data recorded from live networks (../shared/fixtures/
// recorded/, see its README): every fully verifiable Rococo justification against the sets announced in
// real ScheduledChange headers (46-55 precommits of 68/69 voters), the assembled Rococo warp proofs, Westend's
// blocks 1-128 as a real sync/2 response verified from the real genesis storage — and each refused when one
// bit of a signature, a seal or a body changes, or the set is wrong. Expected values are the recorder's (its
// README and JSON), never our own output. The verify commands run in-process (`verifyCommand`, the code the
// binary runs) for the many cases, and as the binary for exit codes and stderr.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromHex, toHex } from '../../src/codec/index.ts'
import { decodeJustification, encodeJustification } from '../../src/finality/index.ts'
import { decodeHeader } from '../../src/header/index.ts'
import { decodeBlockResponse } from '../../src/network/index.ts'
import { verifyCommand } from '../../src/cli/verify.ts'
import { CliError } from '../../src/cli/errors.ts'
import { fixturePath, needsFixtures, readFixture, readFixtureText } from '../support/fixtures.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 })
const dir = mkdtempSync(join(tmpdir(), 'sublight-verify-'))
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name)
  writeFileSync(p, data)
  return p
}
/** Runs `sublight verify …` in-process: its output, or the CliError message it exits 1 with. */
async function verify(...args: string[]): Promise<{ ok: true; out: string } | { ok: false; error: string }> {
  let out = ''
  try {
    await verifyCommand(args, (s) => void (out += s))
    return { ok: true, out }
  } catch (e) {
    if (!(e instanceof CliError)) throw e
    return { ok: false, error: e.message }
  }
}
const refused = async (why: RegExp, ...args: string[]) => {
  const r = await verify(...args)
  assert.equal(r.ok, false, `refused: ${args.join(' ')}`)
  if (!r.ok) assert.match(r.error, why)
}

interface RecordedJustification {
  target_number: number
  target_hash: string
  set_id: number
  precommits: number
  authority_count: number
  threshold: number
  fully_verifiable: boolean
  authority_list_from_block: number
  justification_hex: string
}
function rococo() {
  const sets = JSON.parse(readFixtureText('recorded', 'grandpa', 'rococo_authority_sets_and_epochs.json')).sets as { set_id: number; announced_in_block: number; authorities: { id: string; weight: number }[] }[]
  const justifications = (JSON.parse(readFixtureText('recorded', 'grandpa', 'rococo_justifications.json')).justifications as RecordedJustification[]).filter((j) => j.fully_verifiable)
  const keysOf = (j: RecordedJustification) => {
    const set = sets.find((s) => s.announced_in_block === j.authority_list_from_block)!
    return set.authorities.map((a) => a.id)
  }
  return { sets, justifications, keysOf }
}

test('verify justification: every fully verifiable Rococo justification verifies against its set; a flipped signature bit, the wrong set id or too few signers are refused', needsFixtures, async () => {
  const { justifications, keysOf } = rococo()
  // the README counts 31 in the whole collection; part of it may be held back from this folder
  assert.ok(justifications.length >= 1, 'fully verifiable justifications recorded')
  for (const j of justifications) {
    const keys = file(`keys-${j.target_number}.json`, JSON.stringify(keysOf(j)))
    const what = `#${j.target_number} (set ${j.set_id})`
    const r = await verify('justification', j.justification_hex, '--authorities', keys, '--set-id', String(j.set_id), '--json')
    assert.ok(r.ok, `${what}: ${!r.ok && r.error}`)
    const s = JSON.parse(r.out)
    assert.deepEqual(s.target, { number: j.target_number, hash: j.target_hash }, what)
    assert.equal(s.signers, j.precommits, what)
    assert.equal(s.authorities, j.authority_count, what)
    assert.equal(s.threshold, j.threshold, what)
    assert.ok(s.weight >= s.threshold, what)

    // one bit of the first precommit's signature: round u64, target hash, u32, a one-byte compact count
    // (< 64 precommits), then per precommit: target hash 32, number 4, signature 64, authority 32
    const bytes = fromHex(j.justification_hex)
    assert.ok(j.precommits < 64)
    const sigAt = 8 + 32 + 4 + 1 + 36
    const flipped = bytes.slice()
    flipped[sigAt + 10] ^= 0x04
    await refused(/BadSignature/, 'justification', toHex(flipped), '--authorities', keys, '--set-id', String(j.set_id))
    await refused(/BadSignature: .*set \d+/, 'justification', j.justification_hex, '--authorities', keys, '--set-id', String(j.set_id + 1))
    // signers removed until one below the threshold
    const dj = decodeJustification(bytes)
    const fewer = encodeJustification({ ...dj, precommits: dj.precommits.slice(0, j.threshold - 1) })
    await refused(/InsufficientWeight: .*below the threshold 4\d/, 'justification', toHex(fewer), '--authorities', keys, '--set-id', String(j.set_id))
  }
})

test('verify justification as a binary: exit codes, the text report, a file input', needsFixtures, () => {
  const { justifications, keysOf } = rococo()
  const j = justifications.find((x) => x.target_number === 1_238_699)!
  const keys = file('keys-bin.json', JSON.stringify(keysOf(j).map((k) => [k, 1])))
  const bin = file('j.bin', fromHex(j.justification_hex))
  const ok = run('verify', 'justification', bin, '--authorities', keys, '--set-id', '2150')
  assert.equal(ok.status, 0, ok.stderr)
  // the README: 50 signers of 69, threshold 47
  assert.match(ok.stdout, /^target\s+#1238699 0x0e48f673/m)
  assert.match(ok.stdout, /^signers\s+50 of 69 authorities$/m)
  assert.match(ok.stdout, /^weight\s+50 of 69 \(threshold 47\)$/m)
  const bad = run('verify', 'justification', bin, '--authorities', keys, '--set-id', '2149')
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /^sublight: the justification of #1238699 .* does not verify against set 2149: BadSignature/)
  assert.equal(run('verify', 'justification', bin, '--set-id', '2150').status, 1, 'no --authorities')
})

test('verify warp: the assembled Rococo proofs verify fragment by fragment (across a real set change); a flipped bit names its fragment', needsFixtures, async () => {
  const { sets } = rococo()
  const meta = JSON.parse(readFixtureText('recorded', 'warp', 'rococo_assembled_warp_proofs.json')).proofs as { file: string; fragments: { header_number: number; justification_set_id: number; precommits: number }[] }[]
  const one = meta.find((p) => p.file.includes('1fragment'))!
  const keys3165 = file('set3165.json', JSON.stringify(sets.find((s) => s.set_id === 3165)!.authorities))
  const proof = fixturePath('recorded', 'warp', one.file)
  const r = await verify('warp', proof, '--authorities', keys3165, '--set-id', '3165', '--json')
  assert.ok(r.ok, !r.ok ? r.error : '')
  const s = JSON.parse(r.out)
  assert.deepEqual(
    s.fragments.map((f: { number: number; setId: number; precommits: number }) => [f.number, f.setId, f.precommits]),
    one.fragments.map((f) => [f.header_number, f.justification_set_id, f.precommits]),
  )
  assert.equal(s.finalized.number, one.fragments[0].header_number)
  assert.equal(s.isFinished, true)
  await refused(/^fragment 0 \(#1843864\) does not verify against set 3166: BadSignature/, 'warp', proof, '--authorities', keys3165, '--set-id', '3166')

  // the two-fragment proof starts in set 2149, whose list was never recorded; its 47 signers are all in
  // the 69-key list of set 2150 (the README's hint), which reaches the threshold 47: the first fragment
  // verifies with that list, and the second only under the set its header announces
  const two = fixturePath('recorded', 'warp', meta.find((p) => p.file.includes('2fragments'))!.file)
  const keys2150 = file('set2150.json', JSON.stringify(sets.find((s) => s.set_id === 2150)!.authorities))
  const r2 = await verify('warp', two, '--authorities', keys2150, '--set-id', '2149', '--json')
  assert.ok(r2.ok, !r2.ok ? r2.error : '')
  const s2 = JSON.parse(r2.out)
  assert.deepEqual(s2.fragments.map((f: { setId: number; nextSetId: number | null }) => [f.setId, f.nextSetId]), [[2149, 2150], [2150, null]])
  assert.equal(s2.setId, 2150)
  // a bit of the second fragment's last precommit signature: its failure names fragment 1
  const bytes = readFixture('recorded', 'warp', 'rococo_assembled_warp_from_set2149_2fragments.bin').slice()
  bytes[bytes.length - 1 - 1 - 32 - 20] ^= 0x01
  await refused(/^fragment 1 \(#1238699\) does not verify against set 2150: BadSignature/, 'warp', file('two-bad.bin', bytes), '--authorities', keys2150, '--set-id', '2149')
  const bad = run('verify', 'warp', file('two-bad.bin', bytes), '--authorities', keys2150, '--set-id', '2149')
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /fragment 1/)
})

const WESTEND_GENESIS = '0xe143f23803ac50e8f6f8e62695d1ce9e4e1d68aa36c1cd2cfd15340213f3423e'

test('verify blocks: Westend blocks 1-128 (a real sync/2 response) verify from the real genesis storage; one body byte or one seal bit changed is refused, naming the block', needsFixtures, async () => {
  const spec = fixturePath('recorded', 'sync', 'westend2_chainspec_with_genesis_storage.json')
  const response = readFixture('recorded', 'sync', 'westend_sync2_response_blocks_1_to_128.bin')
  const r = await verify('blocks', fixturePath('recorded', 'sync', 'westend_sync2_response_blocks_1_to_128.bin'), '--chain', spec, '--json')
  assert.ok(r.ok, !r.ok ? r.error : '')
  const s = JSON.parse(r.out)
  assert.equal(s.verified, 128)
  assert.equal(s.genesisHash, WESTEND_GENESIS, 'the real Westend genesis, computed from the storage')
  assert.deepEqual([s.first.number, s.last.number, s.bodies, s.consensus], [1, 128, 128, 'babe'])

  // the same bytes, one changed: in the body of block #57, then in the seal of block #90 (found in place
  // in the real response, so its framing is untouched)
  const blocks = decodeBlockResponse(response)
  const at = (n: number) => blocks.find((d) => decodeHeader(d.header!).number === n)!
  const flipAt = (needle: Uint8Array, offset: number) => {
    const i = Buffer.from(response).indexOf(Buffer.from(needle))
    assert.ok(i >= 0 && Buffer.from(response).indexOf(Buffer.from(needle), i + 1) < 0, 'found once')
    const m = response.slice()
    m[i + offset] ^= 0x01
    return m
  }
  const ext = at(57).body![0]
  const badBody = file('body.bin', flipAt(ext, ext.length - 2))
  await refused(/^block \d+ of the responses \(#57 0x[0-9a-f]+\): the body .* does not match the extrinsics root/, 'blocks', badBody, '--chain', spec)
  const header = at(90).header!
  const badSeal = file('seal.bin', flipAt(header.slice(header.length - 64), 17))
  await refused(/^block \d+ of the responses \(#90 0x[0-9a-f]+\): .*BadSignature/, 'blocks', badSeal, '--chain', spec)
  const cli = run('verify', 'blocks', badSeal, '--chain', spec)
  assert.equal(cli.status, 1)
  assert.match(cli.stderr, /#90/)
  const ok = run('verify', 'blocks', fixturePath('recorded', 'sync', 'westend_sync2_response_blocks_1_to_10.bin'), '--chain', spec)
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, new RegExp(`^from\\s+genesis ${WESTEND_GENESIS}`, 'm'))
  assert.match(ok.stdout, /^verified\s+10 blocks, #1 to #10 /m)
})
