// The Node.js platform: the Node 20 polyfills js-libp2p needs (loaded first), then TCP and WebSocket
// transports. The full node and sublight's Node entry use it; the browser entry uses `browser.ts`.
import './node-polyfills.ts'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Transports } from '../network/transports.ts'

/** TCP and WebSocket (each unless forbidden). */
export const nodeTransports: Transports = ({ tcp: useTcp = true, ws = true } = {}) => [...(useTcp ? [tcp()] : []), ...(ws ? [webSockets()] : [])]
