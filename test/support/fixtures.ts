// Locates ../shared/fixtures for tests. Tests that need real-chain data pass `needsFixtures`, which
// skips the test with a clear message when the folder is absent; with CI=true a missing folder is an error.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURES = process.env.SUBLIGHT_FIXTURES ?? join(root, '..', 'shared', 'fixtures')
export const haveFixtures = existsSync(FIXTURES)
export const SKIP_REASON = `fixtures folder not found at ${FIXTURES} (set SUBLIGHT_FIXTURES or place ../shared beside the repo)`
// In CI the fixtures are always there: a missing folder fails the run loudly instead of skipping half of it.
if (!haveFixtures && process.env.CI === 'true') throw new Error(`CI=true but ${SKIP_REASON}`)

/** `{ skip }` option for node:test: skips with a clear reason when fixtures are absent. */
export const needsFixtures = haveFixtures ? {} : { skip: SKIP_REASON }

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts)
}
export function readFixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(...parts)))
}
export function readFixtureText(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8')
}
