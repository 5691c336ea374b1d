// @polkadot/api plumbing shared by tests: a `balances.transferKeepAlive` signed and sent, watched until
// finalized; what came back is returned for the test to judge (statuses in order, the finalized block).
import type { ApiPromise } from '@polkadot/api'
import type { KeyringPair } from '@polkadot/keyring/types'
import { waitFor } from './wait.ts'

type Status = { status: { type: string; isFinalized: boolean; asFinalized: { toHex(): string } } }

/** Sends `amount` from `from` to `to` and waits up to `ms` for finality: the statuses seen and the finalized block's hash. */
export async function transferToFinality(api: ApiPromise, from: KeyringPair, to: string, amount: bigint, ms: number): Promise<{ statuses: string[]; finalizedIn: string }> {
  const statuses: string[] = []
  let finalizedIn: string | undefined
  const unsub = await api.tx.balances.transferKeepAlive(to, amount).signAndSend(from, (r: Status) => {
    statuses.push(r.status.type)
    if (r.status.isFinalized) finalizedIn = r.status.asFinalized.toHex()
  })
  await waitFor(() => finalizedIn !== undefined, ms, () => `finality of the transfer (statuses ${statuses.join(',')})`)
  unsub()
  return { statuses, finalizedIn: finalizedIn! }
}
