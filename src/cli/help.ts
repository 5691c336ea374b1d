// Help texts of the `sublight` command and each sub-command: every flag the README documents, with its
// default. `sublight <command> --help` prints the command's text; `sublight --version` the version.

export const USAGE = `usage: sublight <command> [options]    (sublight <command> --help for its options)

commands:
  light       a light client behind a local JSON-RPC endpoint (the main command)
  dev         a development chain: author Aura or BABE blocks, finalize, serve JSON-RPC and the light-client protocols
  node        a full node: sync a chain with execution and serve it
  testnet     a local network: n validators (sublight dev processes) authoring and voting GRANDPA together
  chain-spec  summarize a chain spec (genesis hash, state root, checkpoint, runtime)
  runtime     run a chain's runtime: its version, or any runtime call on the genesis storage
  verify      verify a checkpoint, a GRANDPA justification, a warp proof or sync/2 blocks (as the light client does)

  --version   print the version
  --help      print this text
`

export const COMMAND_HELP: Record<string, string> = {
  light: `usage: sublight light [options]

  --chain <name | spec.json>  the chain to follow (default: polkadot); names: sublight light --chain list
  --relay <name | spec.json>  the relay chain of a parachain (default: the known chain the parachain's spec names)
  --rpc-port <port>           JSON-RPC port, WebSocket and HTTP (default: 9944; 0 picks a free one)
  --rpc-host <address>        JSON-RPC address (default: 127.0.0.1)
  --rpc-cors <all | origins>  browser origins let in, comma-separated (default: http(s)://localhost:*, http(s)://127.0.0.1:*, https://polkadot.js.org)
  --database <file>           load the finalized database at start, save it every 3 min and on exit (default: none)
  --bootnodes <multiaddr>...  peers to dial besides the spec's boot nodes (repeatable)
  --log <0-5>                 client log level on stderr (default: 2, warnings)
`,
  dev: `usage: sublight dev [--chain <spec.json>] [options]

  --chain <spec.json>         a chain spec with raw genesis storage, Aura or BABE + GRANDPA (default: the built-in
                              development chain, node-template's runtime with Alice and Bob as authorities)
  --tmp                       keep the chain in a temporary database removed on exit (the default)
  --base-path <dir>           keep the chain in <dir>/chains/<id>/sublight.sqlite and resume from it
  --rpc-port <port>           JSON-RPC port, WebSocket and HTTP (default: 9944; 0 picks a free one)
  --no-rpc                    no JSON-RPC server
  --rpc-cors <all | origins>  browser origins let in, comma-separated (default: http(s)://localhost:*, http(s)://127.0.0.1:*, https://polkadot.js.org)
  --listen <multiaddr>...     libp2p listen addresses (default: /ip4/127.0.0.1/tcp/30333/ws)
  --bootnodes <multiaddr>...  peers to dial (repeatable)
  --node-key <hex32>          the libp2p identity's secret key (default: the one kept in
                              <dir>/chains/<id>/network/secret_ed25519 with --base-path, made on first start;
                              else a fresh one)
  --alice | --bob             author with //Alice or //Bob (repeatable)
  --key <secret URI>...       author with this key (repeatable; default, with no key option: every
                              well-known dev key, //Alice … //Ferdie, that the chain names as authority)
  --history <epochs>          BABE chains: start block #1 <epochs> epochs in the past and author that history
                              fast (the first two slots of each epoch, a block every 50 ms), then go on in
                              real time; the GRANDPA session key of every validator we control is rotated
                              once per session, so each session change (from the third on) is also a
                              GRANDPA set change
  --latency <ms>              delay every block announce, GRANDPA message and transaction gossiped (a fault, for
                              forks on demand; default 0). JSON-RPC sublight_unstable_partition([peer ids])
                              cuts the node off from those peers until called again (an empty list heals)
  --relay <ws url>            a parachain spec: be its collator (the first key collates and authors Aura blocks)
                              on the relay node at this JSON-RPC URL: a block on each relay head whose included
                              para head is ours, handed to the relay (JSON-RPC sublight_unstable_submitCollation,
                              backed and included by a relay devnet holding its validators' keys); final when
                              the relay's finalized block includes it. The relay: sublight dev --chain <relay
                              spec with the para registered> (see sublight chain-spec parachain-dev)
  --history-block-time <ms>   real time between two history blocks (default: 50; 0: as fast as possible).
                              Light clients catching up cannot take set changes every few blocks: let them
                              connect at 3000 (a set change every ~6 s), e.g. after restarting a --base-path
  --history-start <unix ms>   a network's history (sublight testnet --history passes it): the history ends at
                              this moment and is authored from it on, each node authoring the past slots it
                              can claim, every node reading the same slot at the same moment
`,
  node: `usage: sublight node --chain <spec.json> [options]

  --chain <spec.json>         a chain spec with raw genesis storage (required)
  --tmp                       keep the chain in a temporary database removed on exit (the default)
  --base-path <dir>           keep the chain in <dir>/chains/<id>/sublight.sqlite
  --listen <multiaddr>...     libp2p listen addresses (default: /ip4/127.0.0.1/tcp/30333/ws)
  --bootnodes <multiaddr>...  peers to sync from besides the spec's boot nodes (repeatable)
  --node-key <hex32>          the libp2p identity's secret key (default: the one kept in
                              <dir>/chains/<id>/network/secret_ed25519 with --base-path, made on first start;
                              else a fresh one)
`,
  'chain-spec': `usage: sublight chain-spec <file> [--json]
       sublight chain-spec validators <spec.json> --count <n>
       sublight chain-spec parachain-dev <para spec.json> --relay <relay spec.json>

  --json                      one JSON object (name, id, chainType, genesisHash, stateRoot, relayChain, paraId, bootNodes, checkpoint, runtime)
  validators                  print the spec rewritten for a local network of n dev validators (Aura + GRANDPA
                              chains): //Alice, //Bob, //Charlie, //Dave, //Eve, //Ferdie, then //Validator7 …
                              as its Aura and GRANDPA authorities, nothing else changed
  parachain-dev               print a raw Cumulus parachain spec (Polkadot Coretime) rewritten with //Alice
                              as its only collator (Aura, session keys, invulnerables) and the relay spec's id
                              as relay_chain; boot nodes dropped, everything else unchanged; --endow <suri>
                              (repeatable) also gives that dev account 1,000,000 DOT (raising the issuance)
`,
  testnet: `usage: sublight testnet --nodes <n> [options]
       sublight testnet --chain <relay spec.json> --parachain <para spec.json> [--base-path <dir>] [--rpc-port <p>] [--port <p>]

  --nodes <n>                 validators, one sublight dev process each (1 to 64)
  --chain <spec.json>         the chain (default: the built-in development chain): an Aura + GRANDPA spec with
                              raw genesis storage, rewritten for n validators
  --base-path <dir>           keep the spec and each node's chain in <dir>/node<i> and resume from them
                              (default: a temporary directory removed on exit)
  --rpc-port <port>           node 0's JSON-RPC port; node i gets port + i (default: 9944)
  --port <port>               node 0's libp2p port (WebSocket on 127.0.0.1); node i gets port + i (default: 30333)
  --latency <ms>              delay every block announce, GRANDPA message and transaction the nodes gossip
  --history <epochs>          BABE chains: block #1 <epochs> epochs in the past, that history authored by the
                              network together (each node its own claims of the first two slots of each epoch)
                              from a moment all nodes should be up; each session change is a GRANDPA set change
  --history-block-time <ms>   real time between two history blocks (default: 500)
  --parachain <spec.json>     a parachain testnet: the relay spec (--chain, e.g. polkadot-dev) rewritten for
                              Alice and Bob with this parachain registered in its genesis, one relay node
                              holding both keys (ports as node 0), and the parachain's collator, Alice (sublight
                              dev --relay; ports + 1). The para spec: sublight chain-spec parachain-dev. Prints
                              'relay rpc <ws url> p2p <multiaddr>', 'parachain <para id> rpc <ws url> p2p
                              <multiaddr>', then 'relay #<b> finalized #<n> parachain #<b> finalized #<m>'
                              each time either finality moves

  prints 'node <i> rpc <ws url> p2p <multiaddr>' for each node once all are up, then
  'finalized #<n> <hash> best #<b> forks <f> reorgs <r>' each time finality moves; the nodes' logs go to
  stderr prefixed '[node <i>]'. Ctrl-C stops them all; they also stop if this process is killed.
`,
  runtime: `usage: sublight runtime version <spec.json | runtime.wasm[.zstd]> [--json]
       sublight runtime call <spec.json> <Method_name> [0xargs] [--time]

  --json                      (version) one JSON object
  --time                      (call) print the call time on stderr
`,
  verify: `usage: sublight verify checkpoint <spec.json>
       sublight verify justification <file.bin | 0xhex> --authorities <keys.json> --set-id <n> [--json]
       sublight verify warp <proof.bin>... --authorities <keys.json> --set-id <n> [--json]
       sublight verify blocks <sync2-response.bin>... --chain <spec.json> [--json]

  checkpoint      the checkpoint header's BABE claim (pre-digest, VRF) and seal against its epochs
  justification   precommit signatures, signers in the set, weight against the threshold; prints the
                  target block, signers, weight and threshold
  warp            each fragment's justification and set change from the given set (several files: the
                  responses of one proof in order); prints each fragment, the final block and set id
  blocks          blocks from the spec's genesis storage: parent links, BABE or Aura seals against the
                  genesis epoch and the epoch changes the headers carry, header hashes, extrinsics roots
  --authorities   a JSON array of 0x ed25519 keys, of [key, weight] pairs, or of { id, weight } objects
  --json          one JSON object on stdout
  Exit 1 with the precise reason (and the failing fragment or block) when something does not verify.
`,
}
