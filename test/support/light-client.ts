// Shared plumbing for tests that drive sublight's light client through smoldot's API: polling waits,
// adding a chain whose only boot nodes are given addresses, and a JSON-RPC session over that chain
// (requests by id, notifications collected in order).
import type { Chain, Client } from '../../src/light-client/index.ts'
import { waitFor } from './wait.ts'

export { waitFor }

/** Adds the chain of `specText` with `bootNodes` as its only boot nodes. */
export function addChainWith(client: Client, specText: string, bootNodes: string[]): Promise<Chain> {
  const json = JSON.parse(specText)
  json.bootNodes = bootNodes
  return client.addChain({ chainSpec: JSON.stringify(json) })
}

/** A JSON-RPC session: `rpc` sends and awaits the response; `event` awaits a notification matching `pred`. */
export function session(chain: Chain) {
  const responses = new Map<number, any>()
  const events: any[] = []
  /** Every notification as received (method and params, subscription id included). */
  const notes: any[] = []
  void (async () => {
    for await (const text of chain.jsonRpcResponses) {
      const m = JSON.parse(text)
      if (m.id !== undefined) responses.set(m.id, m)
      else {
        notes.push(m)
        events.push(m.params.result)
      }
    }
  })()
  let nextId = 1
  const rpc = async (method: string, params: unknown[]): Promise<any> => {
    const id = nextId++
    chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    await waitFor(() => responses.has(id), 30_000, () => `${method} response`)
    return responses.get(id)
  }
  /** The first notification matching `pred` not returned before (each is returned once). */
  const event = async (pred: (e: any) => boolean, what: string): Promise<any> => {
    const match = (e: any) => !e.seen && pred(e)
    await waitFor(() => events.some(match), 40_000, what)
    const e = events.find(match)
    e.seen = true
    return e
  }
  return { rpc, event, events, notes }
}
