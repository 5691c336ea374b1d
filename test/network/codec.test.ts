// Protocol codecs: hand-checked protobuf bytes (proto3 wire format: key = field << 3 | wire type),
// Substrate handshake layout, round trips, and thousands of random inputs giving typed errors only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { toHex } from '../../src/codec/index.ts'
import {
  FrameDecoder,
  ProtocolError,
  decodeBlockAnnounce,
  decodeBlockRequest,
  decodeBlockResponse,
  decodeHandshake,
  decodeLightRequest,
  decodeLightResponse,
  encodeBlockAnnounce,
  encodeBlockRequest,
  encodeBlockResponse,
  encodeGrandpaNeighbor,
  encodeHandshake,
  encodeLightRequest,
  encodeLightResponse,
  frame,
  decodeTransactions,
  encodeTransactions,
  decodeGrandpaGossip,
  encodeGrandpaCommit,
  type BlockAnnounce,
  type GrandpaGossip,
  type LightRequest,
} from '../../src/network/index.ts'

const H = (b: number) => new Uint8Array(32).fill(b)

test('block request bytes: fields = header|body|justification in the top byte, from number 5, descending, max 64', () => {
  const bytes = encodeBlockRequest({ fields: 19, from: { number: 5 }, direction: 'descending', maxBlocks: 64 })
  // fields = 0x13 << 24 = 318767104 → varint 80 80 80 98 01 | 1a 04 05000000 | 28 01 | 30 40 | 38 01
  // (field 7 support_multiple_justifications = true, written by Substrate and smoldot)
  assert.equal(toHex(bytes), '0x08808080980' + '11a0405000000280130' + '40' + '3801')
  assert.deepEqual(decodeBlockRequest(bytes), { fields: 19, from: { number: 5 }, direction: 'descending', maxBlocks: 64, supportMultipleJustifications: true })
  // an ascending direction is written too (28 00), as smoldot and Substrate do
  const asc = encodeBlockRequest({ fields: 1, from: { hash: H(7) }, direction: 'ascending', maxBlocks: 1 })
  assert.equal(toHex(asc.subarray(asc.length - 6)), '0x280030013801')
  assert.deepEqual(decodeBlockRequest(asc), { fields: 1, from: { hash: H(7) }, direction: 'ascending', maxBlocks: 1, supportMultipleJustifications: true })
  // an old peer's request without field 7
  assert.equal(decodeBlockRequest(asc.subarray(0, asc.length - 2)).supportMultipleJustifications, false)
})

test('light requests and responses round-trip; read request bytes are field 2 { block = 2, keys = 3 }', () => {
  const read = encodeLightRequest({ kind: 'read', block: H(1), keys: [Uint8Array.from([0xaa])] })
  assert.equal(toHex(read.subarray(0, 4)), '0x12251220') // field 2 (len 37) { field 2 (len 32) ...
  const requests: LightRequest[] = [
    { kind: 'read', block: H(1), keys: [Uint8Array.from([1, 2]), new Uint8Array()] },
    { kind: 'call', block: H(2), method: 'Metadata_metadata', data: Uint8Array.from([9]) },
    { kind: 'readChild', block: H(3), childKey: Uint8Array.from([5]), keys: [Uint8Array.from([6])] },
  ]
  for (const r of requests) assert.deepEqual(decodeLightRequest(encodeLightRequest(r)), r)
  assert.deepEqual(decodeLightResponse(encodeLightResponse('call', Uint8Array.from([4, 5]))), { kind: 'call', proof: Uint8Array.from([4, 5]) })
  assert.deepEqual(decodeLightResponse(encodeLightResponse('read', undefined)), { kind: 'read', proof: undefined })
  // an older Substrate's answer to a request it cannot serve: an empty Response{} — no proof, not malformed
  assert.deepEqual(decodeLightResponse(new Uint8Array()), { kind: 'none', proof: undefined })
})

test('block-announces handshake layout (roles u8, best u32, best hash, genesis) and genesis check', () => {
  const hs = { roles: 1, bestNumber: 7, bestHash: H(2), genesisHash: H(3) }
  const b = encodeHandshake(hs)
  assert.equal(b.length, 69)
  assert.equal(toHex(b.subarray(0, 5)), '0x0107000000')
  assert.deepEqual(decodeHandshake(b, H(3)), hs)
  assert.throws(() => decodeHandshake(b, H(4)), (e: unknown) => e instanceof ProtocolError && e.code === 'WrongGenesis')
  assert.throws(() => decodeHandshake(b.subarray(0, 68)), (e: unknown) => e instanceof ProtocolError && e.code === 'Malformed')
  // GossipMessage::Neighbor(V1 { round, set_id, commit_finalized_height })
  assert.equal(toHex(encodeGrandpaNeighbor({ round: 1n, setId: 0n, finalizedHeight: 0 })), '0x0201' + '0100000000000000' + '0000000000000000' + '00000000')
  const header = { parentHash: H(1), number: 3, stateRoot: H(2), extrinsicsRoot: H(3), digest: [] }
  // Substrate's hand-written encoding: header ++ state (1 = best) ++ data
  const ann = encodeBlockAnnounce({ header, isBest: true, data: undefined })
  assert.equal(toHex(ann.subarray(ann.length - 2)), '0x0100')
  assert.deepEqual(decodeBlockAnnounce(ann), { header, isBest: true, data: new Uint8Array() })
  // a bare header (older peers) is a normal announce
  assert.deepEqual(decodeBlockAnnounce(ann.subarray(0, ann.length - 2)), { header, isBest: false, data: undefined })
})

test('framing: frames across arbitrary chunk boundaries; oversized frames refused before buffering', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), fc.array(fc.nat({ max: 50 }), { maxLength: 20 }), (msgs, cuts) => {
      const stream = Buffer.concat(msgs.map((m) => frame(m)))
      const dec = new FrameDecoder(1 << 20)
      const got: Uint8Array[] = []
      let pos = 0
      for (const c of [...cuts, stream.length]) {
        const end = Math.min(stream.length, pos + c)
        got.push(...dec.push(new Uint8Array(stream.subarray(pos, end))))
        pos = end
      }
      got.push(...dec.push(new Uint8Array(stream.subarray(pos))))
      assert.deepEqual(got.map(toHex), msgs.map(toHex))
    }),
    { numRuns: 500 },
  )
  assert.throws(() => new FrameDecoder(1000).push(Uint8Array.from([0x80, 0x80, 0x80, 0x08])), (e: unknown) => e instanceof ProtocolError && e.code === 'TooLarge')
})

test('robustness: every mutated input is rejected with a ProtocolError or decodes to a value that re-encodes to itself', () => {
  // each decoder with its encoder: whatever a decoder accepts must survive encode → decode unchanged
  const pairs: [string, (b: Uint8Array) => unknown, (v: never) => Uint8Array][] = [
    ['block request', decodeBlockRequest, encodeBlockRequest],
    ['block response', decodeBlockResponse, encodeBlockResponse],
    ['light request', decodeLightRequest, (r: LightRequest) => encodeLightRequest(r)],
    ['light response', decodeLightResponse, (r: { kind: 'call' | 'read' | 'none'; proof: Uint8Array | undefined }) => (r.kind === 'none' ? new Uint8Array() : encodeLightResponse(r.kind, r.proof))],
    ['handshake', (b) => decodeHandshake(b), encodeHandshake],
    ['block announce', decodeBlockAnnounce, (a: BlockAnnounce) => encodeBlockAnnounce(a)],
    ['transactions', decodeTransactions, encodeTransactions],
    ['grandpa', decodeGrandpaGossip, (g: GrandpaGossip) => (g.kind === 'neighbor' ? encodeGrandpaNeighbor(g) : g.kind === 'commit' ? encodeGrandpaCommit(g) : new Uint8Array())],
  ]
  const header = { parentHash: H(1), number: 3, stateRoot: H(2), extrinsicsRoot: H(3), digest: [] }
  const seeds = [
    encodeBlockRequest({ fields: 3, from: { hash: H(1) }, direction: 'ascending', maxBlocks: 9 }),
    encodeBlockResponse([{ hash: H(1), header: H(2), body: [H(3)] }]),
    encodeLightRequest({ kind: 'call', block: H(1), method: 'x', data: H(2) }),
    encodeLightRequest({ kind: 'readChild', block: H(1), childKey: H(4), keys: [H(5)] }),
    encodeHandshake({ roles: 1, bestNumber: 7, bestHash: H(2), genesisHash: H(3) }),
    encodeBlockAnnounce({ header, isBest: true, data: undefined }),
    encodeTransactions([H(6), Uint8Array.of(1, 2)]),
    encodeGrandpaNeighbor({ round: 1n, setId: 2n, finalizedHeight: 3 }),
    encodeGrandpaCommit({ round: 1n, setId: 0n, targetHash: H(1), targetNumber: 1, precommits: [{ targetHash: H(1), targetNumber: 1, signature: new Uint8Array(64), authorityId: H(9) }] }),
  ]
  let accepted = 0
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 255 }), fc.nat()).map(([s, p, v, cut]) => {
      const m = s.slice(0, Math.max(1, s.length - (cut % 3)))
      m[p % m.length] = v
      return m
    })), (b) => {
      for (const [name, decode, encode] of pairs) {
        let v: unknown
        try {
          v = decode(b)
        } catch (e) {
          assert.ok(e instanceof ProtocolError, `${name}: ${String(e)}`)
          continue
        }
        accepted++
        if (name === 'light request' && (v as LightRequest).kind === 'readChild' && (v as { childKey?: Uint8Array }).childKey === undefined) continue // another kind of child trie: nothing to encode
        if (name === 'grandpa' && !['neighbor', 'commit'].includes((v as GrandpaGossip).kind)) continue // we never send votes or catch-ups
        const again = decode(encode(v as never))
        if (name === 'block announce') {
          // a bare header (older peers) and an explicit empty data decode alike once re-encoded
          const a = v as BlockAnnounce
          assert.deepEqual(again, { ...a, data: a.data ?? new Uint8Array() }, name)
        } else assert.deepEqual(again, v, `${name} accepted ${toHex(b)} but does not re-encode to the same value`)
      }
    }),
    { numRuns: 4000 },
  )
  assert.ok(accepted > 100, 'the mutations reach the accepting paths too')
})
