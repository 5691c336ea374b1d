// `sublight dev --chain <raw spec> [--tmp] [--listen <multiaddr>...] [--alice | --key <suri>...]`:
// an authoring node for Aura chains (node-template): one block per slot owned by one of its keys,
// executed, stored in memory, announced to peers and served to light clients; one status line per
// block. Persistence (--base-path), finality (GRANDPA) and JSON-RPC (--rpc-port) are not built yet.

import { Reader, toHex, utf8 } from '../codec/index.ts'
import { genesisRuntimeVersion } from '../chain-spec/index.ts'
import { KeyUriError, ed25519FromSuri, sr25519FromSuri, type DevKeypair } from '../crypto/index.ts'
import { Runtime } from '../executor/index.ts'
import { NetworkHost } from '../network/index.ts'
import { DevChain, authorAuraBlock, holdsSupermajority, localJustification } from '../full-node/index.ts'
import { CliError } from './errors.ts'
import { loadChainSpec, optionValue } from './args.ts'

export async function devCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let chain: string | undefined
  const listen: string[] = []
  const suris: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const val = () => optionValue(args, i++)
    if (a === '--chain') chain = val()
    else if (a === '--listen') listen.push(val())
    else if (a === '--tmp') continue // state is in memory (a throwaway database) until the SQLite store lands
    else if (a === '--alice' || a === '--bob') suris.push(a === '--alice' ? '//Alice' : '//Bob')
    else if (a === '--key') suris.push(val())
    else if (a === '--base-path' || a === '--rpc-port') throw new CliError(`${a} is not available yet (persistent storage and the JSON-RPC server are still being built)`)
    else throw new CliError(`unknown option ${a}`)
  }
  if (!chain) throw new CliError('usage: sublight dev --chain <spec.json> [--tmp] [--listen <multiaddr>...] [--alice | --key <suri>...]')
  const spec = await loadChainSpec(chain)
  if (spec.genesis.kind !== 'raw') throw new CliError(`${chain} has no raw genesis storage`)
  let keys: DevKeypair[]
  let grandpaKeys: DevKeypair[]
  try {
    keys = (suris.length ? suris : ['//Alice']).map(sr25519FromSuri)
    grandpaKeys = (suris.length ? suris : ['//Alice']).map(ed25519FromSuri)
  } catch (e) {
    if (e instanceof KeyUriError) throw new CliError(`--key: ${e.message}`)
    throw e
  }
  const devChain = new DevChain(spec, genesisRuntimeVersion(spec)?.stateVersion ?? 0)
  const genesis = devChain.bestBlock
  const rt = Runtime.load(genesis.state.get(utf8(':code'))!)
  let slotMs: bigint
  let authorities: string[]
  try {
    slotMs = new Reader(rt.call('AuraApi_slot_duration', new Uint8Array(), { storage: genesis.state }).output).u64()
    authorities = new Reader(rt.call('AuraApi_authorities', new Uint8Array(), { storage: genesis.state }).output).vec((r) => toHex(r.bytes_(32)))
  } catch (e) {
    throw new CliError(`this chain's runtime is not an Aura runtime: ${(e as Error).message}`)
  }
  // GRANDPA: the genesis set (it never changes on this devnet without session rotation)
  const grandpaSet = {
    setId: new Reader(rt.call('GrandpaApi_current_set_id', new Uint8Array(), { storage: genesis.state }).output).u64(),
    authorities: new Reader(rt.call('GrandpaApi_grandpa_authorities', new Uint8Array(), { storage: genesis.state }).output).vec((r) => ({ publicKey: r.bytes_(32), weight: r.u64() })),
  }
  const finalizing = holdsSupermajority(grandpaSet.authorities, grandpaKeys)
  let round = 0n
  const mine = keys.filter((k) => authorities.includes(toHex(k.publicKey)))
  if (mine.length === 0) throw new CliError('none of the given keys is an Aura authority of this chain')
  const host = await NetworkHost.start({ server: devChain, protocolId: spec.protocolId, listen: listen.length ? listen : ['/ip4/127.0.0.1/tcp/30333/ws'], log: (l) => err(`${l}\n`) })
  for (const a of host.addresses()) out(`listening on ${a}\n`)

  let stopped = false
  let lastSlot = 0n
  const tick = (): void => {
    if (stopped) return
    const now = BigInt(Date.now())
    const slot = now / slotMs
    if (slot > lastSlot) {
      lastSlot = slot
      const owner = authorities[Number(slot % BigInt(authorities.length))]
      const author = mine.find((k) => toHex(k.publicKey) === owner)
      if (author) {
        const best = devChain.bestBlock
        try {
          const { block, state } = authorAuraBlock({ parent: best.header, parentState: best.state, slot, timestampMs: slot * slotMs, author })
          const hash = devChain.add(block, state)
          host.announce(block.header, true)
          if (finalizing) {
            const { justification, encoded } = localJustification(block.header, ++round, grandpaSet, grandpaKeys)
            devChain.finalize(hash, encoded)
            host.gossipFinality(justification, grandpaSet.setId)
          }
          out(`#${block.header.number} ${toHex(hash)} finalized #${devChain.finalized().number} peers ${host.libp2p.getPeers().length} txs 0\n`)
        } catch (e) {
          err(`slot ${slot}: block production failed: ${(e as Error).message}\n`)
        }
      }
    }
    const wait = Number(slotMs - (BigInt(Date.now()) % slotMs)) + 5
    timer = setTimeout(tick, wait)
  }
  let timer = setTimeout(tick, 0)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  stopped = true
  clearTimeout(timer)
  await host.stop()
  err('stopped\n')
  return 0
}
