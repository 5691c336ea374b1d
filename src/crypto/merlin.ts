// Merlin transcripts over Strobe-128 (the construction of dalek-cryptography/merlin, which Schnorrkel
// and therefore sr25519 VRFs use). Written here because BABE's VRF needs Substrate's exact transcript
// (labels for slot, epoch, randomness), which no library API exposes. Keccak-f[1600] from @noble/hashes.

import { keccakP } from '@noble/hashes/sha3.js'

const STROBE_R = 166
const FLAG_I = 1
const FLAG_A = 1 << 1
const FLAG_C = 1 << 2
const FLAG_T = 1 << 3
const FLAG_M = 1 << 4
const FLAG_K = 1 << 5

/** The minimal Strobe-128 subset Merlin needs: meta-AD, AD and PRF operations. */
class Strobe128 {
  private readonly state = new Uint8Array(200)
  private readonly words = new Uint32Array(this.state.buffer)
  private pos = 0
  private posBegin = 0
  private curFlags = 0

  constructor(protocolLabel: Uint8Array) {
    this.state.set([1, STROBE_R + 2, 1, 0, 1, 96], 0)
    this.state.set(new TextEncoder().encode('STROBEv1.0.2'), 6)
    keccakP(this.words)
    this.metaAd(protocolLabel, false)
  }

  clone(): Strobe128 {
    const c = Object.create(Strobe128.prototype) as Strobe128
    const state = this.state.slice()
    Object.assign(c, { state, words: new Uint32Array(state.buffer), pos: this.pos, posBegin: this.posBegin, curFlags: this.curFlags })
    return c
  }

  metaAd(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_M | FLAG_A, more)
    this.absorb(data)
  }
  ad(data: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_A, more)
    this.absorb(data)
  }
  prf(out: Uint8Array, more: boolean): void {
    this.beginOp(FLAG_I | FLAG_A | FLAG_C, more)
    this.squeeze(out)
  }

  private runF(): void {
    this.state[this.pos] ^= this.posBegin
    this.state[this.pos + 1] ^= 0x04
    this.state[STROBE_R + 1] ^= 0x80
    keccakP(this.words)
    this.pos = 0
    this.posBegin = 0
  }
  private absorb(data: Uint8Array): void {
    for (const b of data) {
      this.state[this.pos++] ^= b
      if (this.pos === STROBE_R) this.runF()
    }
  }
  private squeeze(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) {
      out[i] = this.state[this.pos]
      this.state[this.pos++] = 0
      if (this.pos === STROBE_R) this.runF()
    }
  }
  private beginOp(flags: number, more: boolean): void {
    if (more) {
      if (this.curFlags !== flags) throw new Error('Strobe: continued operation with different flags')
      return
    }
    if (flags & FLAG_T) throw new Error('Strobe: transport operations are not supported')
    const oldBegin = this.posBegin
    this.posBegin = this.pos + 1
    this.curFlags = flags
    this.absorb(new Uint8Array([oldBegin, flags]))
    if (flags & (FLAG_C | FLAG_K) && this.pos !== 0) this.runF()
  }
}

const enc = new TextEncoder()
const u32le = (n: number) => new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255])
const label = (l: string | Uint8Array) => (typeof l === 'string' ? enc.encode(l) : l)

/** A Merlin transcript. Labels may be given as strings (UTF-8) or bytes. */
export class Transcript {
  private strobe: Strobe128

  constructor(appLabel: string | Uint8Array) {
    this.strobe = new Strobe128(enc.encode('Merlin v1.0'))
    this.appendMessage('dom-sep', label(appLabel))
  }

  clone(): Transcript {
    const t = Object.create(Transcript.prototype) as Transcript
    t.strobe = this.strobe.clone()
    return t
  }

  appendMessage(l: string | Uint8Array, message: Uint8Array): this {
    this.strobe.metaAd(label(l), false)
    this.strobe.metaAd(u32le(message.length), true)
    this.strobe.ad(message, false)
    return this
  }

  appendU64(l: string | Uint8Array, v: bigint): this {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true)
    return this.appendMessage(l, b)
  }

  challengeBytes(l: string | Uint8Array, length: number): Uint8Array {
    const out = new Uint8Array(length)
    this.strobe.metaAd(label(l), false)
    this.strobe.metaAd(u32le(length), true)
    this.strobe.prf(out, false)
    return out
  }
}
