// A `sublight dev` (or `sublight node`) process for churn tests: spawned on a fixed port and base path (so a restart keeps its
// address, database and peer id), killed with SIGKILL, restarted; its stdout and stderr kept for failures.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { waitFor } from './wait.ts'

const bin = new URL('../../bin/sublight.js', import.meta.url).pathname

/** A TCP port free at this moment on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}

export class DevProcess {
  private proc: ChildProcess | undefined
  out = ''
  err = ''
  /** `command`: `dev` (an authoring node) or `node` (a syncing full node). */
  constructor(
    private readonly args: string[],
    private readonly command: 'dev' | 'node' = 'dev',
    /** Extra options for Node itself (e.g. `--import` of a probe), before the CLI's path. */
    private readonly nodeOptions: string[] = [],
  ) {}

  /** Starts the node and waits for its `listening on` line; returns that address (with `/p2p/<id>`). */
  async start(): Promise<string> {
    this.out = ''
    this.err = ''
    const p = spawn(process.execPath, [...this.nodeOptions, bin, this.command, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc = p
    p.stdout!.on('data', (d) => (this.out += d))
    p.stderr!.on('data', (d) => (this.err += d))
    await waitFor(() => /^listening on (\S+)/m.test(this.out) || p.exitCode !== null, 30_000, () => `the dev node listening\n${this.out}\n${this.err}`)
    const m = /^listening on (\S+)/m.exec(this.out)
    if (!m) throw new Error(`the dev node exited: ${this.out}\n${this.err}`)
    return m[1]
  }

  /** The running process's id, if it runs. */
  get pid(): number | undefined {
    return this.proc && this.proc.exitCode === null && this.proc.signalCode === null ? this.proc.pid : undefined
  }

  /** The node's own best and finalized numbers, from its last status line. */
  get status(): { best: number; finalized: number } | undefined {
    const all = [...this.out.matchAll(/^#(\d+) 0x[0-9a-f]{64} finalized #(\d+)/gm)]
    const m = all[all.length - 1]
    return m && { best: Number(m[1]), finalized: Number(m[2]) }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill(signal)
    await exited
  }
}
