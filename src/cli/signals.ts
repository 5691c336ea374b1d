// How the long-running commands (`dev`, `node`, `light`) learn they are to stop: Ctrl-C or a kill.

/**
 * Resolves on the first SIGINT or SIGTERM. Commands call it before printing the lines other tools wait
 * for (`listening on`, `JSON-RPC on`): until a listener exists, Node's default disposition kills the
 * process at once, so a signal sent the moment such a line appears would skip the clean shutdown.
 */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}
