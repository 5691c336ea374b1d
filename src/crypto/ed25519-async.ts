// Ed25519 signatures checked ahead of time by WebCrypto (`crypto.subtle`, asynchronous), for hosts with no
// synchronous native Ed25519: browsers (current Chromium, Firefox and Safari have it). Verifiers are
// synchronous — the sans-IO core — so the services at the edge hand the signatures a justification or
// warp proof carries to `preverifyEd25519` first; the synchronous `ed25519Verify` then finds the ones
// proven valid here instead of running pure-JS curve arithmetic (measured ~14x slower than native).
// Every signature is tried here once: a rejection is not remembered as invalid but left to the
// synchronous path's ZIP-215 rules (WebCrypto follows RFC 8032, which is stricter), so verdicts never
// depend on whether this ran. Bounded memory: the oldest entries leave first.

/** One signature to check: `signature` (64 bytes) of `message` by `publicKey` (32 bytes). */
export interface SignedMessage {
  signature: Uint8Array
  message: Uint8Array
  publicKey: Uint8Array
}

const KEPT = 8192
const KEYS_KEPT = 2048

/**
 * Signatures by their 64 bytes (as a string key), each with the key and message it is for: those proven
 * valid here, and every one tried (valid or not). Oldest first out past KEPT.
 */
class SignatureSet {
  private readonly bySignature = new Map<string, { publicKey: Uint8Array; message: Uint8Array }[]>()
  private readonly order: string[] = []
  has(s: SignedMessage, key = sigKey(s.signature)): boolean {
    return this.bySignature.get(key)?.some((e) => sameBytes(e.publicKey, s.publicKey) && sameBytes(e.message, s.message)) ?? false
  }
  add(s: SignedMessage, key = sigKey(s.signature)): void {
    const list = this.bySignature.get(key)
    if (list) list.push({ publicKey: s.publicKey, message: s.message })
    else this.bySignature.set(key, [{ publicKey: s.publicKey, message: s.message }])
    this.order.push(key)
    if (this.order.length > KEPT) this.bySignature.delete(this.order.shift()!)
  }
  get size(): number {
    return this.bySignature.size
  }
}
const valid = new SignatureSet()
const tried = new SignatureSet()
const keys = new Map<string, Promise<CryptoKey | undefined>>()

const sigKey = (b: Uint8Array): string => String.fromCharCode.apply(null, b as unknown as number[])
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Whether this signature was proven valid by WebCrypto (only ever true for a valid one). */
export function provenValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return valid.size > 0 && valid.has({ signature, message, publicKey })
}

type Subtle = {
  importKey(format: 'raw', key: Uint8Array, alg: { name: 'Ed25519' }, extractable: false, usages: ['verify']): Promise<CryptoKey>
  verify(alg: { name: 'Ed25519' }, key: CryptoKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>
}
const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle

function keyOf(publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  const id = sigKey(publicKey)
  let k = keys.get(id)
  if (!k) {
    k = subtle!.importKey('raw', publicKey.slice(), { name: 'Ed25519' }, false, ['verify']).catch(() => undefined)
    keys.set(id, k)
    if (keys.size > KEYS_KEPT) keys.delete(keys.keys().next().value!)
  }
  return k
}

/** Whether WebCrypto here has Ed25519: probed once with a real key and signature (RFC 8032, test 1). */
let supported: Promise<boolean> | undefined
/** Set once the probe found no Ed25519: nothing is ever tried then. */
let absent = !subtle
function hasWebCryptoEd25519(): Promise<boolean> {
  return (supported ??= (async () => {
    try {
      const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16))
      const key = await subtle!.importKey('raw', hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'), { name: 'Ed25519' }, false, ['verify'])
      const sig = hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')
      if ((await subtle!.verify({ name: 'Ed25519' }, key, sig, new Uint8Array())) === true) return true
    } catch {
      // no Ed25519 in this WebCrypto
    }
    absent = true
    return false
  })())
}

/** Whether `preverifyWithWebCrypto` may do anything here (false once WebCrypto is known to lack Ed25519). */
export function webCryptoMayHelp(): boolean {
  return !absent
}

/**
 * Checks with WebCrypto, in parallel, the signatures not tried before; resolves once they are known.
 * Returns undefined at once when there is nothing to do (all tried already, or no WebCrypto Ed25519), so
 * a caller can stay synchronous then, and calling it again after it resolved never waits again.
 */
export function preverifyWithWebCrypto(items: readonly SignedMessage[]): Promise<void> | undefined {
  if (absent || items.length === 0) return undefined
  const fresh: SignedMessage[] = []
  for (const s of items) {
    if (s.signature.length !== 64 || s.publicKey.length !== 32) continue
    const key = sigKey(s.signature)
    if (tried.has(s, key)) continue
    tried.add(s, key)
    fresh.push(s)
  }
  if (fresh.length === 0) return undefined
  return (async () => {
    if (!(await hasWebCryptoEd25519())) return
    await Promise.all(
      fresh.map(async (s) => {
        const key = await keyOf(s.publicKey)
        const ok = key !== undefined && (await subtle!.verify({ name: 'Ed25519' }, key, s.signature, s.message).catch(() => false))
        if (ok) valid.add(s)
      }),
    )
  })()
}
