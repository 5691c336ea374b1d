// The next turn of the event loop, without a timer's clamp. `setTimeout(fn, 0)` waits at least 1 ms in
// Node (and 4 ms in browsers once timers nest), which every JSON-RPC operation paid before its work began
// (a `chainHead_v1_storage` read is ~5 ms in all). Node's `setImmediate` runs right after the pending
// I/O; browsers get a MessageChannel task; anything else falls back to `setTimeout(fn, 0)`. Like a timer,
// it runs after the current task and all its microtasks: a response resolved now is sent first.

type Schedule = (fn: () => void) => void

function pick(): Schedule {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown; MessageChannel?: typeof MessageChannel }
  if (typeof g.setImmediate === 'function') {
    const immediate = g.setImmediate
    return (fn) => void immediate(fn)
  }
  if (typeof g.MessageChannel === 'function') {
    const queue: (() => void)[] = []
    const channel = new g.MessageChannel()
    channel.port1.onmessage = () => queue.shift()?.()
    return (fn) => {
      queue.push(fn)
      channel.port2.postMessage(undefined)
    }
  }
  return (fn) => void setTimeout(fn, 0)
}

/** Runs `fn` on the next turn of the event loop (after the current task and its microtasks). */
export const nextTurn: Schedule = pick()
