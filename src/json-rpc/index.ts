// Public surface of JSON-RPC: transport-free dispatch (registry, connections, errors) and the server.
export * from './dispatcher.ts'
export { DEFAULT_CORS, RpcServer, RpcServerError, originAllowed, type RpcServerOptions } from './server.ts'
export * from './params.ts'
export * from './chain-access.ts'
export * from './chain-head.ts'
export * from './legacy.ts'
