// Public surface of JSON-RPC: transport-free dispatch (registry, connections, errors), the ChainAccess
// interface and the method families written against it. The WebSocket/HTTP server (Node only) is
// imported from `./server.ts` directly.
export * from './dispatcher.ts'
export * from './params.ts'
export * from './chain-access.ts'
export * from './chain-head.ts'
export * from './legacy.ts'
