// The logger js-libp2p is given. Its default (@libp2p/logger over `weald`, a `debug` fork) makes three
// debug instances for every connection, substream and muxer scope, and each asks the OS whether stderr is
// a terminal (an `isatty` system call) and hashes its name for a colour, even when nothing is enabled:
// one light/2 read or Kademlia query opens a substream, so that was paid on every request. Unless the
// user asked for libp2p's debug output (`DEBUG=…` in Node, `localStorage.debug` in a browser, as
// @libp2p/logger reads them), libp2p gets one silent logger shared by every scope instead.
import type { ComponentLogger, Logger } from '@libp2p/interface'

const silent: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: (): Logger => silent })

/** A component logger whose every scope is the same logger, which writes nothing. */
export const silentLogger: ComponentLogger = { forComponent: () => silent }

/** Whether libp2p's debug output was asked for, where @libp2p/logger looks for it. */
function debugRequested(): boolean {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; localStorage?: { getItem(k: string): string | null } }
  try {
    return Boolean(g.process?.env?.DEBUG || g.localStorage?.getItem('debug'))
  } catch {
    // a browser's localStorage may refuse access (privacy settings, sandboxed frames)
    return false
  }
}

/** `createLibp2p`'s logger option: none (libp2p's own) when debug output is asked for, else the silent one. */
export const libp2pLogger = (): { logger?: ComponentLogger } => (debugRequested() ? {} : { logger: silentLogger })
