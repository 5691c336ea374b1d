// Yamux receive-window updates sent as Substrate's and smoldot's yamux send them: once half of a
// substream's receive window has been consumed, not after every data frame.
//
// @chainsafe/libp2p-yamux (8.x) answers every data frame it receives with a WindowUpdate frame, so every
// gossip message a peer sends us (a block announce, a GRANDPA commit, a neighbor packet) costs one more
// frame back: encrypted by noise, framed by the WebSocket, written to the socket. On an idle chain
// that is most of what a light client writes, and a node serving many peers pays it per peer. The
// library has no setting for it and builds its streams itself, so the one method is wrapped here: an
// established, unpaused stream with more than half its window left sends nothing yet; every other
// case (opening SYN/ACK flags, a paused stream resuming, half the window used) goes to the library's
// own method, which restores the full window (and grows it, by its RTT rule) in one frame. Flow
// control is unchanged for the sender: it may send up to the window it was given, as the spec says.
// If a later version of the library changes the fields this relies on, the wrapper steps aside.

import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/** The private fields of YamuxStream that the rule reads. */
interface WindowFields {
  state: StreamState
  recvWindow: unknown
  recvWindowCapacity: unknown
}

let applied = false

/**
 * Whether a window update would be premature: the stream is established (no flags to send) and more
 * than half of its receive window is still available. Exported for tests.
 */
export function windowUpdateDeferred(s: WindowFields): boolean {
  if (s.state !== StreamState.Established) return false
  if (typeof s.recvWindow !== 'number' || typeof s.recvWindowCapacity !== 'number') return false
  return s.recvWindowCapacity * 2 > s.recvWindow
}

/** Wraps YamuxStream's window updates (once per process; idempotent). */
export function deferYamuxWindowUpdates(): void {
  if (applied) return
  applied = true
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate?: (this: WindowFields) => void }
  const original = proto.sendWindowUpdate
  if (typeof original !== 'function') return
  proto.sendWindowUpdate = function (this: WindowFields) {
    if (windowUpdateDeferred(this)) return
    original.call(this)
  }
}
