// Public surface of the light client: smoldot's API (start, Client, Chain, the error classes).
export { start, AddChainError, AlreadyDestroyedError, JsonRpcDisabledError, QueueFullError, CrashError, type Client, type Chain, type ClientOptions, type AddChainOptions } from './client.ts'
