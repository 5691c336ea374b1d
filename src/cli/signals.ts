// How the long-running commands (`dev`, `node`, `light`) learn they are to stop: Ctrl-C, a kill, or the
// parent that started them with an IPC channel going away.

/**
 * Resolves on the first SIGINT or SIGTERM. Commands call it before printing the lines other tools wait
 * for (`listening on`, `JSON-RPC on`): until a listener exists, Node's default disposition kills the
 * process at once, so a signal sent the moment such a line appears would skip the clean shutdown.
 */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
    // started by a parent with an IPC channel (`sublight testnet`): its end closes when the parent exits,
    // even by SIGKILL, and we stop rather than live on as an orphan holding our ports
    if (process.channel) {
      process.once('disconnect', () => resolve())
      process.channel.unref()
    }
  })
}
