// The page the browser tests load (bundled by esbuild for the test): sublight's browser entry driven
// through smoldot's API, on the main thread or through `startFromWorker`, and polkadot-api on top of it.
// The test calls `window.sublightPage.*` and compares what comes back with the devnet's own state.
import { start, startFromWorker, type Chain, type Client } from '../../src/browser.ts'
import { createClient } from 'polkadot-api'
import { getSmProvider } from 'polkadot-api/sm-provider'

type Mode = 'main' | 'worker'

/** Progress lines on the console (the test shows them when a step fails). */
const step = (what: string) => console.log(`page: ${what} at ${performance.now().toFixed(0)} ms`)

function client(mode: Mode): Client {
  const options = { maxLogLevel: 2, logCallback: (level: number, target: string, message: string) => console.log(`sublight ${level} [${target}] ${message}`) }
  if (mode === 'main') return start(options)
  const worker = new Worker(new URL('./worker.js', location.href), { type: 'module' })
  worker.addEventListener('error', (e) => console.log(`page: worker error ${e.message}`))
  return startFromWorker(worker, options)
}

/** Requests by id and notifications in order, over one chain. */
function session(chain: Chain) {
  const waiting = new Map<number, (m: any) => void>()
  const events: any[] = []
  const eventWaiters: (() => void)[] = []
  void (async () => {
    for await (const text of chain.jsonRpcResponses) {
      const m = JSON.parse(text)
      if (m.id !== undefined) waiting.get(m.id)?.(m)
      else {
        events.push(m.params.result)
        for (const w of eventWaiters.splice(0)) w()
      }
    }
  })()
  let nextId = 1
  const call = (method: string, params: unknown[]) =>
    new Promise<any>((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  const event = async (pred: (e: any) => boolean): Promise<any> => {
    for (;;) {
      const i = events.findIndex(pred)
      if (i >= 0) return events.splice(i, 1)[0]
      await new Promise<void>((r) => eventWaiters.push(r))
    }
  }
  return { call, event }
}

/** Follows the chain: initialized, a finalized block after it, a storage value and `Metadata_metadata` there; with times since page load. */
async function follow(mode: Mode, chainSpec: string, storageKeyHex: string) {
  const c = client(mode)
  try {
    const chain = await c.addChain({ chainSpec })
    step('added')
    const { call, event } = session(chain)
    const genesisHash = (await call('chainSpec_v1_genesisHash', [])).result as string
    const msGenesisHash = performance.now()
    step('genesis hash')
    const sub = (await call('chainHead_v1_follow', [true])).result as string
    const init = await event((e) => e.event === 'initialized')
    step('initialized')
    const msInitialized = performance.now()
    const initialized = init.finalizedBlockHashes.at(-1) as string
    const finalized = await event((e) => e.event === 'finalized')
    step('finalized')
    const st = (await call('chainHead_v1_storage', [sub, initialized, [{ key: storageKeyHex, type: 'value' }], null])).result
    const items = await event((e) => e.operationId === st.operationId && e.event === 'operationStorageItems')
    await event((e) => e.operationId === st.operationId && e.event === 'operationStorageDone')
    step('storage')
    const op = (await call('chainHead_v1_call', [sub, initialized, 'Metadata_metadata', '0x'])).result
    const done = await event((e) => e.operationId === op.operationId)
    return {
      genesisHash,
      initialized,
      specName: init.finalizedBlockRuntime?.spec?.specName as string,
      finalizedAfter: finalized.finalizedBlockHashes as string[],
      storageValue: items.items[0]?.value as string | undefined,
      callEvent: done.event as string,
      metadata: done.output as string,
      msGenesisHash,
      msInitialized,
    }
  } finally {
    await c.terminate()
  }
}

/** polkadot-api (unchanged, through its smoldot provider) on top of sublight: a constant and a balance. */
async function polkadotApi(mode: Mode, chainSpec: string, address: string) {
  const c = client(mode)
  const papi = createClient(getSmProvider(() => c.addChain({ chainSpec })))
  try {
    const fin = await papi.getFinalizedBlock()
    const api = papi.getUnsafeApi() as any
    const ss58Prefix = (await api.constants.System.SS58Prefix()) as number
    const account = await api.query.System.Account.getValue(address, { at: fin.hash })
    return { finalized: fin.hash as string, ss58Prefix, nonce: account.nonce as number, free: String(account.data.free) }
  } finally {
    papi.destroy()
    await c.terminate()
  }
}

;(window as any).sublightPage = { follow, polkadotApi }
;(window as any).sublightPageReady = true
