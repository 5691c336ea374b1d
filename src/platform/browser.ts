// The browser platform: WebSocket is the one transport a page can open (TCP does not exist there;
// WebRTC is not built yet). It uses the page's own `WebSocket`; nothing here touches Node.
import { webSockets } from '@libp2p/websockets'
import type { Transports } from '../network/transports.ts'

/** WebSocket (unless forbidden); TCP is never available in a browser. */
export const browserTransports: Transports = ({ ws = true } = {}) => (ws ? [webSockets()] : [])
