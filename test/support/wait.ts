// Polling wait for tests: resolves once `cond()` holds, fails with `what` after `ms` (a function is read
// at the failure, so it can describe the state things were left in). `cond` and `what` may be async
// (JSON-RPC questions): those are asked every 250 ms instead of every 25 ms.
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string | (() => string | Promise<string>)): Promise<void> {
  const deadline = Date.now() + ms
  let step = 25
  for (;;) {
    const r = cond()
    if (typeof r !== 'boolean') step = 250
    if (await r) return
    if (Date.now() >= deadline) break
    await new Promise((res) => setTimeout(res, step))
  }
  if (!(await cond())) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`)
}
