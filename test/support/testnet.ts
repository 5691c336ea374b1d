// A local network of `sublight dev` processes for tests: the built-in dev chain (node-template) rewritten
// for n validators, one process per validator on free ports with its own base path (so a restart keeps
// its chain, address and peer id), each dialling the ones before it; plus one-shot JSON-RPC questions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.proc.kill('SIGTERM')))
    rmSync(this.dir, { recursive: true, force: true })
  }
}
