// SCALE codec and hash throughput. Compares our codec with scale-ts (the maintained library we could
// have used) side by side on the same data, and prints blake2-256 / twox128 throughput in MB/s.
import * as st from 'scale-ts'
import { scale } from '../src/codec/index.ts'
import { blake2_256, twox128 } from '../src/crypto/index.ts'
import { row, timeMedian } from './util.ts'

// A header-like struct and a vector of account-like records: typical light-client decoding.
const N = 20_000
const ours = scale.vec(scale.tuple(scale.fixedBytes(32), scale.compact, scale.u128, scale.option(scale.bool), scale.bytes))
const theirs = st.Vector(st.Tuple(st.Bytes(32), st.compact, st.u128, st.Option(st.bool), st.Bytes()))
const items = Array.from({ length: N }, (_, i) => [new Uint8Array(32).fill(i & 255), BigInt(i * 1000), BigInt(i) << 70n, i % 3 === 0 ? undefined : i % 2 === 0, new Uint8Array(i % 40)] as [Uint8Array, bigint, bigint, boolean | undefined, Uint8Array])
const encOurs = scale.encode(ours, items)
const encTheirs = theirs.enc(items as never)
if (Buffer.compare(Buffer.from(encOurs), Buffer.from(encTheirs)) !== 0) throw new Error('encodings differ between sublight and scale-ts')

console.log(`SCALE: ${N} records of (hash, compact, u128, Option<bool>, Vec<u8>), ${encOurs.length} bytes (reference: scale-ts)`)
row('SCALE encode', timeMedian(() => scale.encode(ours, items)), timeMedian(() => theirs.enc(items as never)))
row('SCALE decode', timeMedian(() => scale.decode(ours, encOurs)), timeMedian(() => theirs.dec(encOurs)))

function throughput(name: string, fn: (b: Uint8Array) => Uint8Array, size: number, count: number): void {
  const data = new Uint8Array(size).map((_, i) => i)
  const ms = timeMedian(() => {
    for (let i = 0; i < count; i++) fn(data)
  }, 5)
  console.log(`${name.padEnd(44)} ${((size * count) / 1e6 / (ms / 1000)).toFixed(1).padStart(8)} MB/s  (${count} × ${size} B)`)
}
throughput('blake2-256, 1 MiB inputs', blake2_256, 1 << 20, 16)
throughput('blake2-256, 64 B inputs (trie nodes/keys)', blake2_256, 64, 100_000)
throughput('twox128, 1 MiB inputs', twox128, 1 << 20, 16)
throughput('twox128, 32 B inputs (storage keys)', twox128, 32, 100_000)
