// js-libp2p's default logger asks the OS whether stderr is a terminal (`isatty`) for every debug scope
// it makes, and it makes several for every connection and substream, logging enabled or not. Two
// js-libp2p nodes over TCP on loopback open 20 request substreams: with libp2p's own logger the
// `isatty` calls grow with the substreams; with the logger our host gives libp2p (`libp2pLogger`,
// nothing asked for in DEBUG) there are none. With DEBUG set, libp2p keeps its own logger.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import tty from 'node:tty'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import '../../src/platform/node-polyfills.ts'
import { libp2pLogger, silentLogger } from '../../src/network/libp2p-logger.ts'

const PROTO = '/test/req/1'

async function node(quiet: boolean): Promise<Libp2p> {
  const libp2p = await createLibp2p({
    ...(quiet ? libp2pLogger() : {}),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
  })
  await libp2p.handle(PROTO, (stream) => void stream.close())
  return libp2p
}

/** `isatty` calls while `a` dials `b` and opens `n` substreams to it. */
async function isattyCalls(a: Libp2p, b: Libp2p, n: number): Promise<number> {
  const real = tty.isatty
  let calls = 0
  tty.isatty = (fd: number) => (calls++, real(fd))
  try {
    const conn = await a.dial(b.getMultiaddrs()[0])
    for (let i = 0; i < n; i++) await (await conn.newStream(PROTO)).close()
    await new Promise((r) => setTimeout(r, 50))
    return calls
  } finally {
    tty.isatty = real
  }
}

test('libp2p logger: libp2p’s own calls isatty for every substream; the one our host gives it never does', async () => {
  const debug = process.env.DEBUG
  delete process.env.DEBUG
  const nodes: Libp2p[] = []
  try {
    const [a, b] = [await node(false), await node(false)]
    nodes.push(a, b)
    const theirs = await isattyCalls(a, b, 20)
    assert.ok(theirs >= 20, `libp2p's own logger: ${theirs} isatty calls for 20 substreams`)
    const [c, d] = [await node(true), await node(true)]
    nodes.push(c, d)
    assert.equal(await isattyCalls(c, d, 20), 0, 'our logger: no isatty call')

    assert.equal(libp2pLogger().logger, silentLogger)
    const scope = silentLogger.forComponent('libp2p').newScope('x')
    assert.equal(scope.enabled, false)
    assert.equal(scope.newScope('y'), scope, 'every scope is the one silent logger')
    process.env.DEBUG = 'libp2p:*'
    assert.deepEqual(libp2pLogger(), {}, 'DEBUG set: libp2p keeps its own logger')
  } finally {
    if (debug === undefined) delete process.env.DEBUG
    else process.env.DEBUG = debug
    await Promise.all(nodes.map((n) => n.stop()))
  }
})
