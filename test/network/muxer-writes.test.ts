// Yamux frames of one task leave in one write: a muxer's sends collected and written on the next turn,
// in order; a large frame is written at once after what was collected; closing the muxer flushes.
// The muxer is a stand-in with the three methods the wrapper touches, so the writes can be counted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { coalesceMuxerWrites } from '../../src/network/muxer-writes.ts'

function fakeMuxer() {
  const writes: Uint8Array[] = []
  const muxer = {
    send(data: Uint8Array) {
      writes.push(data.slice())
      return true
    },
    async close() {
      this.send(Uint8Array.of(0xff)) // the GoAway, sent as the real muxer does: last, synchronously
    },
    abort() {},
  }
  coalesceMuxerWrites(muxer)
  return { muxer, writes }
}
const turn = () => new Promise((r) => setImmediate(r))

test('muxer writes: frames sent across promise continuations of one task leave in one write, in order', async () => {
  const { muxer, writes } = fakeMuxer()
  muxer.send(Uint8Array.of(1, 2))
  await Promise.resolve()
  muxer.send(Uint8Array.of(3))
  await Promise.resolve()
  muxer.send(Uint8Array.of(4, 5, 6))
  assert.equal(writes.length, 0, 'nothing written within the task')
  await turn()
  assert.deepEqual(writes, [Uint8Array.of(1, 2, 3, 4, 5, 6)])
  muxer.send(Uint8Array.of(7))
  await turn()
  assert.deepEqual(writes.at(-1), Uint8Array.of(7), 'a lone frame is written as it is')
})

test('muxer writes: a large frame goes out at once after the collected ones; closing flushes the GoAway', async () => {
  const { muxer, writes } = fakeMuxer()
  muxer.send(Uint8Array.of(1))
  const big = new Uint8Array(20_000).fill(9)
  muxer.send(big)
  assert.equal(writes.length, 2, 'the small frame, then the large one, without waiting')
  assert.deepEqual(writes[0], Uint8Array.of(1))
  assert.equal(writes[1].byteLength, 20_000)
  muxer.send(Uint8Array.of(2))
  await muxer.close()
  assert.deepEqual(writes.slice(2), [Uint8Array.of(2, 0xff)], 'pending frames and the GoAway written before close resolves')
})
