// smoldot's public API, implemented by sublight's light client: `start()` → `Client.addChain()` →
// `Chain.sendJsonRpc()` / `nextJsonRpcResponse()` / `jsonRpcResponses`, `remove()`, `terminate()`, and
// smoldot's five error classes with their names and messages (see ../shared/smoldot-api.md). Each chain
// owns its network host and timers; `remove()` and `terminate()` free them, so nothing keeps the process
// alive afterwards.

import { ChainSpecError, namesRelayChain, parseChainSpec } from '../chain-spec/index.ts'
import { toHex } from '../codec/index.ts'
import { Connection, type Registry } from '../json-rpc/index.ts'
import { ChainAccessError, ChainService } from './chain-service.ts'
import type { CallRunner } from './runtime-service.ts'
import { lightClientRpc } from './rpc.ts'
import { TransactionsService } from './transactions-service.ts'
import type { Transports } from '../network/transports.ts'
import { AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, ResponseQueue, type AddChainOptions, type Chain, type Client, type ClientOptions } from './api.ts'

export * from './api.ts'

/** A JSON-RPC connection whose answers and notifications go to `queue` (bounded by how the app reads it). */
export function queueConnection(rpc: Registry, queue: ResponseQueue, maxSubscriptions = Number.MAX_SAFE_INTEGER): Connection {
  return new Connection(rpc, (text) => queue.push(text), { maxSubscriptions, maxBatch: Number.MAX_SAFE_INTEGER, lagging: () => queue.lagging(), full: () => queue.full() })
}

/** A chain of an in-thread client. */
export class LightChain implements Chain {
  private readonly responses = new ResponseQueue()
  private pending = 0
  private readonly conn: Connection | undefined
  /** Parachains following this chain: its service outlives its own `remove()` until they are gone (as smoldot's). */
  private parachains = 0
  private relay: LightChain | undefined

  constructor(
    readonly service: ChainService,
    private readonly opts: AddChainOptions,
    rpc: Registry | undefined,
    private readonly onRemove: (c: LightChain) => void,
  ) {
    this.conn = rpc && queueConnection(rpc, this.responses, opts.jsonRpcMaxSubscriptions)
  }

  sendJsonRpc(rpc: string): void {
    void this.request(rpc)
  }

  /** `sendJsonRpc` that also tells when the request is settled (answered, or needed no answer). */
  request(rpc: string): Promise<void> {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    if (!this.conn) throw new JsonRpcDisabledError()
    if (this.pending >= (this.opts.jsonRpcMaxPendingRequests ?? Infinity)) throw new QueueFullError()
    this.pending++
    return this.conn.handle(rpc).then(
      (out) => {
        this.pending--
        if (out !== undefined) this.responses.push(out)
      },
      () => void this.pending--,
    )
  }

  nextJsonRpcResponse(): Promise<string> {
    if (this.responses.closed) return Promise.reject(new AlreadyDestroyedError())
    if (!this.conn) return Promise.reject(new JsonRpcDisabledError())
    return this.responses.next()
  }

  readonly jsonRpcResponses: AsyncIterableIterator<string> = this.responses.iterator(() => this.nextJsonRpcResponse())

  remove(): void {
    if (this.responses.closed) throw new AlreadyDestroyedError()
    void this.close()
  }

  /** Still usable as a relay chain: not removed by the user. */
  get live(): boolean {
    return !this.responses.closed
  }

  /** This chain is a parachain of `relay`: the relay's service stays up while this one is. */
  followsRelay(relay: LightChain): void {
    this.relay = relay
    relay.parachains++
  }

  /** Frees everything now: subscriptions, pending reads, the network host (once no parachain needs it). */
  async close(): Promise<void> {
    this.responses.close()
    this.conn?.close()
    this.onRemove(this)
    if (this.parachains === 0) await this.service.stop()
    const relay = this.relay
    this.relay = undefined
    if (relay && --relay.parachains === 0 && !relay.live) await relay.service.stop()
  }
}

/**
 * Creates a client on a platform's transports; it never fails here (errors surface in `addChain`), as
 * smoldot's `start`. The entries bind the platform: `start` (Node.js) and `sublight/browser`'s `start`.
 * `callRunner` makes where runtime calls over proofs run (Node.js: a worker thread with a time limit).
 */
export function createClient(transports: Transports, options: ClientOptions = {}, callRunner?: () => CallRunner): Client {
  const maxLevel = options.maxLogLevel ?? 3
  // one per client, shared by its chains, made with the first chain and closed by terminate()
  let runner: CallRunner | undefined
  const logCallback = options.logCallback ?? ((level: number, target: string, message: string) => console.log(`[${target}] ${message}`))
  const chains = new Set<LightChain>()
  let terminated = false
  return {
    async addChain(o: AddChainOptions): Promise<Chain> {
      if (terminated) throw new AlreadyDestroyedError()
      if (typeof o.chainSpec !== 'string') throw new Error('Chain specification must be a string')
      if (o.databaseContent !== undefined && typeof o.databaseContent !== 'string') throw new AddChainError('`databaseContent` must be a string')
      if (o.jsonRpcMaxPendingRequests !== undefined && !(o.jsonRpcMaxPendingRequests > 0)) throw new AddChainError('Invalid value for `jsonRpcMaxPendingRequests`')
      if (o.jsonRpcMaxSubscriptions !== undefined && !(o.jsonRpcMaxSubscriptions >= 0)) throw new AddChainError('Invalid value for `jsonRpcMaxSubscriptions`')
      let spec
      try {
        spec = parseChainSpec(o.chainSpec)
      } catch (e) {
        if (e instanceof ChainSpecError) throw new AddChainError(`Failed to decode chain specification: ${e.message}`)
        throw e
      }
      // a parachain pairs with a potential relay chain its `relay_chain` names: by spec id, alias or
      // genesis hash (unknown or removed ones are skipped; an exact id wins over the other two)
      let relay: LightChain | undefined
      if (spec.relayChain !== undefined) {
        const wanted = spec.relayChain
        const offered = (o.potentialRelayChains ?? []).filter((c): c is LightChain => c instanceof LightChain && c.live)
        relay = offered.find((c) => c.service.specId === wanted) ?? offered.find((c) => namesRelayChain(wanted, c.service.specId, toHex(c.service.genesisHash)))
        if (!relay) {
          const list = offered.map((c) => `${c.service.specId} (${toHex(c.service.genesisHash)})`).join(', ')
          throw new AddChainError(`Couldn't find relevant relay chain: ${spec.id} names "${wanted}" as its relay chain; offered: ${list || 'none'}`)
        }
      }
      let service: ChainService
      try {
        service = await ChainService.start({
          spec,
          database: o.databaseContent,
          log: (level, message) => level <= maxLevel && logCallback(level, spec.id, message),
          transports,
          relay: relay && { chain: relay.service, paraId: spec.paraId! },
          forbid: { tcp: options.forbidTcp, ws: options.forbidWs, nonLocalWs: options.forbidNonLocalWs, wss: options.forbidWss },
          callRunner: callRunner && (runner ??= callRunner()),
        })
      } catch (e) {
        // whatever the spec or the database holds (a bad `:code`, numbers out of range, unusable
        // addresses), the caller gets smoldot's one error class, and nothing started is left behind
        if (e instanceof ChainAccessError) throw new AddChainError(e.message)
        throw new AddChainError(`Failed to start the chain: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (terminated) {
        await service.stop()
        throw new AlreadyDestroyedError()
      }
      const chain = new LightChain(service, o, o.disableJsonRpc ? undefined : lightClientRpc(service, spec, new TransactionsService(service)), (c) => chains.delete(c))
      if (relay) chain.followsRelay(relay)
      chains.add(chain)
      return chain
    },
    async terminate(): Promise<void> {
      if (terminated) throw new AlreadyDestroyedError()
      terminated = true
      await Promise.all([...chains].map((c) => c.close()))
      await runner?.close()
    },
  }
}
