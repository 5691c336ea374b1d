// Acceptance (#16 item 7): the Node versions package.json declares are ones every installed package
// supports — each dependency's `engines.node` in the lock file contains our whole range — so `npm ci`
// prints no engine warning on any Node we claim to support (and we run on one of them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const semver = require('semver') as { subset(a: string, b: string): boolean; satisfies(v: string, r: string): boolean }

test('every locked package supports every Node version we declare', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'))
  const ours: string = pkg.engines.node
  assert.ok(semver.satisfies(process.versions.node, ours), `this Node (${process.versions.node}) is one we declare (${ours})`)
  const narrower = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
    .filter(([, v]) => typeof v.engines === 'object' && v.engines?.node && !semver.subset(ours, v.engines.node))
    .map(([k, v]) => `${k} wants ${v.engines!.node}`)
  assert.deepEqual(narrower, [])
})
