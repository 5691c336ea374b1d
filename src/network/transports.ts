// Which libp2p transports a host dials and listens with. The platform decides (TCP + WebSocket on
// Node.js, WebSocket alone in browsers: `src/platform/`), so nothing in this folder imports a transport
// and a browser build never reaches TCP or Node's `ws`.
import type { Libp2pOptions } from 'libp2p'

/** One libp2p transport (what `tcp()` or `webSockets()` returns). */
export type TransportFactory = NonNullable<Libp2pOptions['transports']>[number]

/** A platform's transports, minus the ones a light client's options forbid. */
export type Transports = (allowed?: { tcp?: boolean; ws?: boolean }) => TransportFactory[]
