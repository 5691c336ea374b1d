// One light client (sublight's or smoldot's) for the serve soak: follows the devnet with a chainHead_v1
// follow (runtime included) and, every block, reads System.Number and calls Core_version at the new best
// block through the node's proofs, unpinning as it goes, until killed.
// Usage: node --import tsx serve-soak-client.mjs <sublight|smoldot> <spec.json> <bootnode>
import { clientFor } from './client-for.mjs'

const [impl, specFile, bootNode] = process.argv.slice(2)
const { chain } = await clientFor(impl, specFile, bootNode)
let id = 1
let sub
const send = (method, params) => chain.sendJsonRpc(JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }))
send('chainHead_v1_follow', [true])
const NUMBER_KEY = '0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac'
for (;;) {
  const m = JSON.parse(await chain.nextJsonRpcResponse())
  if (m.id === 1) sub = m.result
  const e = m.params?.result
  if (!e) continue
  if (e.event === 'bestBlockChanged') {
    send('chainHead_v1_storage', [sub, e.bestBlockHash, [{ key: NUMBER_KEY, type: 'value' }], null])
    send('chainHead_v1_call', [sub, e.bestBlockHash, 'Core_version', '0x'])
  }
  if (e.event === 'finalized') {
    const hashes = [...e.finalizedBlockHashes.slice(0, -1), ...e.prunedBlockHashes]
    if (hashes.length) send('chainHead_v1_unpin', [sub, hashes])
  }
  if (e.event === 'stop') {
    send('chainHead_v1_follow', [true])
    id = 1
  }
}
