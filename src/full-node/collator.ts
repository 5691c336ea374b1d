// The collator service of a parachain devnet node (`sublight dev --chain <para spec> --relay <ws url>`):
// it follows its relay node over JSON-RPC and drives the parachain from it.
// - Each new relay best block R: when no candidate of ours waits for availability at R (Cumulus builds on
//   included blocks only), the relay runtime's persisted validation data for our para names the included
//   head to build on; when that is a block of ours and R's slot starts a new parachain slot, we author its child with R as relay parent (`collation.ts`: the
//   relay-state proof comes from the relay's `state_getReadProof` at R) and hand the candidate to the relay
//   with `sublight_unstable_submitCollation`. The relay backs it in R's child and includes it in the next
//   (`para-backing.ts`): one parachain block per parachain slot (12 s for Coretime, two relay blocks).
// - Each relay finalized block F: the para head included at F (`Paras::Heads`) is our finalized block,
//   as a parachain has no finality of its own.
// The relay is trusted here (it is our own devnet node). Relay calls run one at a time, newest head first.
// A relay node that goes away (a restart) is connected to again every two seconds.

import { Reader, Writer, fromHex, toHex } from '../codec/index.ts'
import { storageKey, type DevKeypair } from '../crypto/index.ts'
import { decodeHeader, headerHash, type Header } from '../header/index.ts'
import { encodeCommittedCandidateReceipt, readPersistedValidationData } from '../parachain/candidate.ts'
import { encodeProof } from '../trie/index.ts'
import { auraSlot, babePreDigest } from '../verify/index.ts'
import { authorParachainBlock, collationOf, paraSlotAt, relayStateKeys } from './collation.ts'
import type { DevChain } from './dev-chain.ts'
import type { Authored } from './block-builder.ts'
import type { MemoryStorage } from '../executor/index.ts'
import { RelayRpc } from './relay-rpc.ts'
import { runtimeAt } from './runtime-apis.ts'

/** What the collator needs of its node. */
export interface CollatorNode {
  readonly chain: DevChain
  authorOn(parent: Uint8Array, build: (parent: Header, parentState: MemoryStorage, extrinsics: Uint8Array[]) => Authored): { block: Authored['block']; state: MemoryStorage; hash: Uint8Array }
}

export interface CollatorOptions {
  /** The relay node's JSON-RPC WebSocket URL. */
  relay: string
  paraId: number
  /** The collator's (and Aura author's) sr25519 key. */
  key: DevKeypair
  log?: (line: string) => void
}

/** `OccupiedCoreAssumption::Free`: validation data only when no candidate of the para waits for availability. */
const ASSUME_FREE = 2

/** Wait between two attempts to reach a relay node that went away. */
const RECONNECT_MS = 2_000

interface JsonHeader {
  parentHash: string
  number: string
  stateRoot: string
  extrinsicsRoot: string
  digest: { logs: string[] }
}

/** SCALE header from a JSON-RPC header (digest items come as their SCALE hex). */
function headerFromJson(h: JsonHeader): Header {
  const w = new Writer(256).bytes(fromHex(h.parentHash)).compact(Number(h.number)).bytes(fromHex(h.stateRoot)).bytes(fromHex(h.extrinsicsRoot)).compact(h.digest.logs.length)
  for (const l of h.digest.logs) w.bytes(fromHex(l))
  return decodeHeader(w.finish())
}

export class Collator {
  private latestHead: Header | undefined
  private latestFinalized: Header | undefined
  private busy = false
  private stopped = false
  private relaySlotMs: bigint | undefined
  private readonly paraSlotMs: bigint

  private rpc!: RelayRpc
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    private readonly node: CollatorNode,
    private readonly o: CollatorOptions,
  ) {
    const state = node.chain.bestBlock.state
    this.paraSlotMs = new Reader(runtimeAt(state).call('AuraApi_slot_duration', new Uint8Array(), { storage: state }).output).u64()
  }

  /**
   * Connects to the relay node and follows it. Throws RelayRpcError when the relay cannot be reached at
   * start; a connection lost later is tried again every RECONNECT_MS (a relay node restarting).
   */
  static async start(node: CollatorNode, o: CollatorOptions): Promise<Collator> {
    const c = new Collator(node, o)
    await c.connect()
    return c
  }

  private async connect(): Promise<void> {
    const rpc = await RelayRpc.connect(this.o.relay)
    if (this.stopped) return rpc.close()
    this.rpc = rpc
    rpc.onClose = () => {
      if (this.stopped) return
      this.log(`collator: lost the relay node at ${this.o.relay}; connecting again`)
      this.reconnect()
    }
    await rpc.subscribe('chain_subscribeNewHeads', [], (h) => {
      this.latestHead = headerFromJson(h as JsonHeader)
      this.pump()
    })
    await rpc.subscribe('chain_subscribeFinalizedHeads', [], (h) => {
      this.latestFinalized = headerFromJson(h as JsonHeader)
      this.pump()
    })
  }

  private reconnect(): void {
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => this.log(`collator: following the relay node at ${this.o.relay} again`),
        () => this.reconnect(),
      )
    }, RECONNECT_MS)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    this.rpc.close()
  }

  private log(line: string): void {
    this.o.log?.(line)
  }

  private pump(): void {
    if (this.busy || this.stopped) return
    const head = this.latestHead
    const fin = this.latestFinalized
    this.latestHead = this.latestFinalized = undefined
    if (!head && !fin) return
    this.busy = true
    void (async () => {
      try {
        if (fin) await this.followFinality(fin)
        if (head) await this.collate(head)
      } catch (e) {
        if (!this.stopped) this.log(`collator: ${(e as Error).message}`)
      } finally {
        this.busy = false
        this.pump()
      }
    })()
  }

  private async stateCall(method: string, args: Uint8Array, at: string): Promise<Uint8Array> {
    return fromHex(await this.rpc.call<string>('state_call', [method, toHex(args), at]))
  }

  /** The para head (SCALE header) the relay holds at relay block `at`, or undefined (para not registered). */
  private async includedHead(at: string): Promise<Uint8Array | undefined> {
    const v = await this.rpc.call<string | null>('state_getStorage', [toHex(storageKey('Paras', 'Heads', ['Twox64Concat', new Writer(4).u32(this.o.paraId).finish()])), at])
    return v ? new Reader(fromHex(v)).vecU8() : undefined
  }

  private async followFinality(relay: Header): Promise<void> {
    const head = await this.includedHead(toHex(headerHash(relay)))
    if (!head) return
    const hash = headerHash(head)
    const b = this.node.chain.block(hash)
    if (b && b.header.number > this.node.chain.finalized().number) this.node.chain.finalize(hash)
  }

  private async collate(relay: Header): Promise<void> {
    const relayHash = headerHash(relay)
    const at = toHex(relayHash)
    // the validation data assuming the para's core is free: none while a candidate of ours waits for
    // availability (Cumulus builds only on an included parent: its unincluded segment holds one block)
    const out = new Reader(await this.stateCall('ParachainHost_persisted_validation_data', new Writer(5).u32(this.o.paraId).u8(ASSUME_FREE).finish(), at))
    if (out.u8() !== 1) {
      if (!(await this.includedHead(at))) this.log(`collator: the relay at #${relay.number} does not know para ${this.o.paraId}`)
      return
    }
    const validationData = readPersistedValidationData(out)
    const parent = headerHash(validationData.parentHead)
    const parentBlock = this.node.chain.block(parent)
    if (!parentBlock) return this.log(`collator: the relay's head of para ${this.o.paraId} at #${relay.number} is not a block of ours`)
    this.relaySlotMs ??= new Reader(await this.stateCall('BabeApi_configuration', new Uint8Array(), at)).u64()
    // one block per parachain slot: a relay parent in the same slot as our parent's waits for the next
    const relaySlot = babePreDigest(relay).slot
    if (parentBlock.header.number > 0 && paraSlotAt(relaySlot, this.relaySlotMs, this.paraSlotMs) <= auraSlot(parentBlock.header)) return
    // the validation code the relay will check this candidate with, as Cumulus asks for it: after a runtime
    // upgrade of the para, the relay's code changes only once the upgrade is enacted there
    const code = new Reader(await this.stateCall('ParachainHost_validation_code_hash', new Writer(5).u32(this.o.paraId).u8(ASSUME_FREE).finish(), at))
    if (code.u8() !== 1) return this.log(`collator: the relay at #${relay.number} has no validation code for para ${this.o.paraId}`)
    const validationCodeHash = code.bytes_(32)
    const read = await this.rpc.call<{ proof: string[] }>('state_getReadProof', [relayStateKeys(this.o.paraId).map(toHex), at])
    const relayStateProof = encodeProof(read.proof.map(fromHex))
    const { block, state } = this.node.authorOn(parent, (p, parentState, extrinsics) =>
      authorParachainBlock({ parent: p, parentState, validationData, relayStateProof, relaySlot, relaySlotMs: this.relaySlotMs!, slotMs: this.paraSlotMs, author: this.o.key, extrinsics }),
    )
    const candidate = collationOf({ paraId: this.o.paraId, block, state, relayParent: relayHash, validationData, validationCodeHash, collator: this.o.key })
    await this.rpc.call('sublight_unstable_submitCollation', [toHex(encodeCommittedCandidateReceipt(candidate))])
    this.log(`collator: #${block.header.number} on relay parent #${relay.number}, handed to the relay`)
  }
}
