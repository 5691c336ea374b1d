// The first MessagePort a dedicated worker receives, caught before anything else loads. sublight's
// hashers initialise with a top-level await; a message that reaches a module worker while its imports
// are still awaiting is dispatched to no handler and lost, so a worker script that set `onmessage`
// after importing sublight would never see the page's port. This module has no imports and is
// imported first by `src/worker.ts`, so its listener exists before any await.

/** The first MessagePort posted to this dedicated worker; undefined outside a worker. */
export const firstPort: Promise<MessagePort> | undefined = (() => {
  const scope = globalThis as { WorkerGlobalScope?: unknown; addEventListener?: unknown; MessagePort?: unknown }
  if (typeof scope.WorkerGlobalScope !== 'function' || typeof scope.MessagePort !== 'function' || typeof scope.addEventListener !== 'function') return undefined
  return new Promise<MessagePort>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      if (!(e.data instanceof MessagePort)) return
      removeEventListener('message', onMessage)
      resolve(e.data)
    }
    addEventListener('message', onMessage)
  })
})()
