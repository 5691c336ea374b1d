// A local network of `sublight dev` processes for tests: the built-in dev chain (node-template) rewritten
// for n validators, one process per validator on free ports with its own base path (so a restart keeps
// its chain, address and peer id), each dialling the ones before it; plus one-shot JSON-RPC questions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import WebSocket from 'ws'
import { validatorSuris, withValidators } from '../../src/chain-spec/validators.ts'
import { BUILT_IN_CHAIN } from '../../src/cli/dev.ts'
import { DevProcess, freePort } from './dev-process.ts'

/** One JSON-RPC call over a fresh WebSocket. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const ws = new WebSocket(url)
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))
    const msg = await new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))))
    if (msg.error) throw new Error(`${method}: ${msg.error.message}`)
    return msg.result
  } finally {
    ws.close()
  }
}

/** The Aura slot of a JSON-RPC header (its `aura` pre-runtime digest: 0x06 'aura' compact(8) u64 LE); 0 without one. */
export function auraSlotOf(header: { digest: { logs: string[] } }): number {
  const log = header.digest.logs.find((l) => l.startsWith('0x066175726120'))
  return log ? Number(BigInt('0x' + (log.slice(14, 30).match(/../g) ?? []).reverse().join(''))) : 0
}

/** A `sublight dev` node's last `finalized #n … round r precommits k best #b forks f reorgs g` line (finality its own rounds reached). */
export function lastFinalityReport(p: DevProcess): { number: number; precommits: number; forks: number; reorgs: number } | undefined {
  const m = [...p.out.matchAll(/^finalized #(\d+) 0x[0-9a-f]{64} round \d+ precommits (\d+) best #\d+ forks (\d+) reorgs (\d+)/gm)].at(-1)
  return m && { number: Number(m[1]), precommits: Number(m[2]), forks: Number(m[3]), reorgs: Number(m[4]) }
}

export interface TestnetNode {
  proc: DevProcess
  rpcUrl: string
  /** Its libp2p address, `/p2p/<peer id>` included. */
  addr: string
  peerId: string
}

export class Testnet {
  private constructor(
    readonly dir: string,
    readonly specPath: string,
    readonly nodes: TestnetNode[],
  ) {}

  /** Starts `n` validators (//Alice, //Bob, …) of `chain` (default: the built-in dev chain), each with `extraArgs`. */
  static async start(n: number, extraArgs: string[] = [], chain = BUILT_IN_CHAIN): Promise<Testnet> {
    const dir = mkdtempSync(join(tmpdir(), 'sublight-testnet-'))
    const suris = validatorSuris(n)
    const specPath = join(dir, 'spec.json')
    writeFileSync(specPath, JSON.stringify(withValidators(JSON.parse(readFileSync(chain, 'utf8')), suris)))
    const net = new Testnet(dir, specPath, [])
    try {
      for (const [i, suri] of suris.entries()) {
        const [p2p, rpcPort] = [await freePort(), await freePort()]
        const boots = net.nodes.flatMap((x) => ['--bootnodes', x.addr])
        const proc = new DevProcess(['--chain', specPath, '--key', suri, '--listen', `/ip4/127.0.0.1/tcp/${p2p}/ws`, '--rpc-port', String(rpcPort), '--base-path', join(dir, `node${i}`), ...boots, ...extraArgs])
        const addr = await proc.start()
        net.nodes.push({ proc, rpcUrl: `ws://127.0.0.1:${rpcPort}`, addr, peerId: addr.split('/p2p/')[1] })
      }
    } catch (e) {
      await net.stop()
      throw e
    }
    return net
  }

  async finalized(i: number): Promise<{ hash: string; number: number }> {
    const hash = (await rpc(this.nodes[i].rpcUrl, 'chain_getFinalizedHead')) as string
    const header = await rpc(this.nodes[i].rpcUrl, 'chain_getHeader', [hash])
    return { hash, number: parseInt(header.number, 16) }
  }

  /** Node `i`'s canonical block hash at height `n`. */
  async hashAt(i: number, n: number): Promise<string> {
    return (await rpc(this.nodes[i].rpcUrl, 'chain_getBlockHash', [n])) as string
  }

  async best(i: number): Promise<{ hash: string; number: number; parentHash: string }> {
    const hash = (await rpc(this.nodes[i].rpcUrl, 'chain_getBlockHash')) as string
    const header = await rpc(this.nodes[i].rpcUrl, 'chain_getHeader', [hash])
    return { hash, number: parseInt(header.number, 16), parentHash: header.parentHash }
  }

  /**
   * Node `i` accepts only the listed nodes as peers (`sublight_unstable_partition` in 'allow' mode: light
   * clients and other nodes are refused); `[]` with mode 'block' heals it.
   */
  async allowOnly(i: number, nodes: number[]): Promise<void> {
    await rpc(this.nodes[i].rpcUrl, 'sublight_unstable_partition', [nodes.map((j) => this.nodes[j].peerId), 'allow'])
  }

  /** Cuts nodes `a` off from nodes `b` (both ways); `heal()` ends it. */
  async partition(a: number[], b: number[]): Promise<void> {
    for (const i of a) await rpc(this.nodes[i].rpcUrl, 'sublight_unstable_partition', [b.map((j) => this.nodes[j].peerId)])
    for (const j of b) await rpc(this.nodes[j].rpcUrl, 'sublight_unstable_partition', [a.map((i) => this.nodes[i].peerId)])
  }

  async heal(): Promise<void> {
    await Promise.all(this.nodes.map((n) => rpc(n.rpcUrl, 'sublight_unstable_partition', [[]])))
  }

  /**
   * The partition of the reorg tests, on a 4-validator Aura network (Alice, Bob, Charlie, Dave author in
   * turn by slot): right after Bob's block reached both sides, {Alice, Bob} are cut from {Charlie, Dave}
   * (side B accepts only its own two; nodes 1–3 are expected to accept only validators already, see
   * `allowOnly`). `during` runs at once (e.g. a transfer to node 0). Returns the last common block and,
   * once Alice authored on side A while side B authored two, her (losing) block; call `healSplit` then.
   */
  async splitAfterBob(during?: () => Promise<void>): Promise<{ base: { hash: string; number: number }; loser: { hash: string; number: number } }> {
    const SLOT_MS = 6000
    const deadline = Date.now() + 60_000
    for (;;) {
      const [a, c] = [await this.best(0), await this.best(2)]
      if (a.hash === c.hash) {
        const slot = auraSlotOf(await rpc(this.nodes[0].rpcUrl, 'chain_getHeader', [a.hash]))
        if (slot % 4 === 1 && Math.floor(Date.now() / SLOT_MS) === slot && Date.now() % SLOT_MS < 4000) break
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for Bob’s block on both sides, early in his slot')
      await new Promise((r) => setTimeout(r, 100))
    }
    for (const i of [0, 1]) await rpc(this.nodes[i].rpcUrl, 'sublight_unstable_partition', [[this.nodes[2].peerId, this.nodes[3].peerId]])
    for (const i of [2, 3]) await this.allowOnly(i, [2, 3])
    const base = await this.best(0)
    await during?.()
    const until = Date.now() + 30_000
    while ((await this.best(0)).number !== base.number + 1) {
      if (Date.now() > until) throw new Error('timed out waiting for Alice’s block on side A')
      await new Promise((r) => setTimeout(r, 100))
    }
    return { base, loser: await this.best(0) }
  }

  /** Ends `splitAfterBob`'s partition: nodes 1–3 back to accepting the validators, node 0 everyone. */
  async healSplit(): Promise<void> {
    for (const i of [1, 2, 3]) await this.allowOnly(i, [0, 1, 2, 3])
    await rpc(this.nodes[0].rpcUrl, 'sublight_unstable_partition', [[]])
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.proc.kill('SIGTERM')))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/**
 * smoldot following a chain in its own process (`smoldot-events.mjs`: chainHead_v1_follow without
 * runtime, `bootNode` its only peer): its follow events as they come, with the time each arrived.
 */
export function followWithSmoldot(specPath: string, bootNode: string): { events: any[]; stop(): void } {
  const events: any[] = []
  const p = spawn(process.execPath, [new URL('./smoldot-events.mjs', import.meta.url).pathname, specPath, bootNode], { stdio: ['ignore', 'pipe', 'pipe'] })
  let pending = ''
  p.stdout.on('data', (d) => {
    pending += d
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const l of lines) if (l.startsWith('EVENT ')) events.push({ ...JSON.parse(l.slice(6)), at: Date.now() })
  })
  return { events, stop: () => void p.kill('SIGKILL') }
}
