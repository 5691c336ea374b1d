import { parseChainSpec } from '/work/main/src/chain-spec/index.ts'
import { DevNode } from '/work/main/src/full-node/index.ts'
import { ChainService } from '/work/main/src/light-client/chain-service.ts'
import { nodeTransports } from '/work/main/src/platform/node.ts'
import { readFileSync } from 'node:fs'
const specText = readFileSync('/work/shared/fixtures/chain-specs/node-template.json', 'utf8')
const spec = parseChainSpec(specText)
const dev = await DevNode.start({ spec, keys: ['//Alice', '//Bob'], listen: ['/ip4/127.0.0.1/tcp/0'], rpcPort: null })
const t0 = Date.now()
const svc = await ChainService.start({ spec: { ...spec, bootNodes: [] }, bootNodes: [dev.host.addresses()[0]], transports: nodeTransports, log: (l, m) => console.log(((Date.now() - t0) / 1000).toFixed(1), l, m) })
svc.onEvent((e) => console.log(((Date.now() - t0) / 1000).toFixed(1), 'EVENT', e.kind))
setInterval(() => console.log('peers', svc.peerCount, 'best', svc.best().header.number, 'fin', svc.finalized().header.number, 'dev', dev.chain.best().number), 3000)
setTimeout(async () => { await svc.stop(); await dev.stop(); process.exit(0) }, 20000)
