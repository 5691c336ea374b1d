// Each noise message written to the transport whole: its 2-byte length and its ciphertext in one write.
//
// @chainsafe/libp2p-noise hands the transport every encrypted message as a list of two chunks (the length
// prefix, then the ciphertext), and js-libp2p's transports send a list chunk by chunk: the WebSocket
// transport makes each chunk its own WebSocket message, TCP its own `socket.write`. Every flush of the
// muxer thus cost two system calls at the sender and two message events (two turns through the
// connection's read path) at the receiver; over 300 storage reads both ends counted ~2 socket writes a
// read for one muxer flush. rust-libp2p and smoldot write a noise frame as one buffer; this does the same
// by joining a list into one buffer before the connection queues it. The bytes on the wire are unchanged
// (TCP and WebSocket carry a byte stream; frame boundaries mean nothing to the peer).

import type { noise } from '@chainsafe/libp2p-noise'
import type { MessageStream } from '@libp2p/interface'

type EncrypterFactory = ReturnType<typeof noise>

/** What `MessageStream.send` is given: bytes, or a list of chunks (uint8arraylist) that can join them. */
interface Chunks {
  byteLength: number
  bufs?: unknown[]
  subarray(): Uint8Array
}

/** The encrypter `make` builds, with each connection it secures writing whole messages. */
export function withWholeEncryptedWrites(make: EncrypterFactory): EncrypterFactory {
  return (components) => {
    const encrypter = make(components)
    const inbound = encrypter.secureInbound.bind(encrypter)
    const outbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = (connection, options) => inbound(joinWrites(connection), options)
    encrypter.secureOutbound = (connection, options) => outbound(joinWrites(connection), options)
    return encrypter
  }
}

/** Makes `connection.send` join a list of chunks into one buffer; a single buffer passes as it is. */
export function joinWrites<S extends MessageStream>(connection: S): S {
  const send = connection.send.bind(connection) as (data: Chunks) => boolean
  const joined = (data: Chunks): boolean => send(Array.isArray(data.bufs) && data.bufs.length > 1 ? data.subarray() : data)
  connection.send = joined as S['send']
  return connection
}
