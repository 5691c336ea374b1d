// terminate() frees everything at once: after it, the chain refuses use with AlreadyDestroyedError and
// the process exits by itself within a second (smoldot keeps Node alive ~60 s after terminate()). Before
// it, the client keeps the process alive as smoldot's does, with a chain or without one: an app waiting
// only on the client's answers must not see its process exit under it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fixturePath, needsFixtures } from '../support/fixtures.ts'

const child = new URL('../support/light-terminate.ts', import.meta.url).pathname
const keepsAlive = new URL('../support/light-keeps-alive.ts', import.meta.url).pathname

test('after terminate() the process exits by itself within a second', { ...needsFixtures, timeout: 60_000 }, async () => {
  const p = spawn(process.execPath, ['--import', 'tsx', child, fixturePath('chain-specs', 'node-template.json')])
  let out = ''
  let terminatedAt = 0
  p.stdout.on('data', (d) => {
    out += d
    if (!terminatedAt && out.includes('terminated')) terminatedAt = performance.now()
  })
  const code = await new Promise((r) => p.on('exit', r))
  const lingered = performance.now() - terminatedAt
  assert.equal(code, 0)
  assert.match(out, /terminated true/)
  assert.ok(terminatedAt > 0 && lingered < 1000, `the process lingered ${Math.round(lingered)} ms after terminate()`)
})

test('until terminate(), a client keeps the process alive, with a chain waiting for peers or with none, as smoldot does', { ...needsFixtures, timeout: 60_000 }, async () => {
  const aliveAfter = async (impl: string, mode: string, ms: number): Promise<boolean> => {
    const p = spawn(process.execPath, ['--import', 'tsx', keepsAlive, impl, fixturePath('chain-specs', 'node-template.json'), mode])
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    const exited = new Promise<'exited'>((r) => p.on('exit', () => r('exited')))
    await Promise.race([exited, new Promise((r) => p.stdout.on('data', () => out.includes('started') && r(undefined)))])
    assert.match(out, /started/, `${impl} ${mode}: the child started`)
    const first = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), ms))])
    p.kill('SIGKILL')
    return first === 'alive'
  }
  const cases = ['--chain', '--no-chain'].flatMap((mode) => ['smoldot', 'sublight'].map((impl) => ({ impl, mode })))
  const answers = await Promise.all(cases.map(({ impl, mode }) => aliveAfter(impl, mode, 3000)))
  for (const [i, { impl, mode }] of cases.entries()) assert.equal(answers[i], true, `${impl} ${mode}: still running 3 s after start`)
})
