// Polling wait for tests: resolves once `cond()` holds, fails with `what` after `ms` (a function is read
// at the failure, so it can describe the state things were left in).
export async function waitFor(cond: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 25) await new Promise((r) => setTimeout(r, 25))
  if (!cond()) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
}
