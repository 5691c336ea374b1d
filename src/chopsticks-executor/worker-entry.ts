// Worker thread of the Chopsticks executor: runs tasks synchronously on our executor. When a call needs
// a storage value it posts the question on the task's port and sleeps on `Atomics.wait` until the
// calling thread has the callback's answer, then takes it with `receiveMessageOnPort`: one round trip per
// key read, no call run twice. Keeps the last few compiled runtimes by the id the caller gives each code.

import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { fromHex, toHex, utf8 } from '../codec/index.ts'
import { Runtime } from '../executor/index.ts'
import { CallbackError, runTask, taskErrorMessage, type Ask } from './task.ts'
import type { CallbackName, RuntimeVersionJson, TaskCall } from './types.ts'

/** Compiled runtimes kept, by code id. */
const KEPT_RUNTIMES = 4

export type WorkerRequest = { id: number; codeId: number; code?: string; allowUnresolvedImports: boolean } & (
  | { kind: 'task'; task: Omit<TaskCall, 'wasm'>; port: MessagePort; flag: Int32Array; timeoutMs: number }
  | { kind: 'version' }
)
export type WorkerReply = { id: number } & ({ ok: true; value: unknown } | { ok: false; message: string })
/** A question to the calling thread and its answer. */
export type CallbackQuestion = { name: CallbackName; args: string[] }
export type CallbackAnswer = { ok: true; value: unknown } | { ok: false; message: string }

const runtimes = new Map<string, Runtime>()

function runtimeFor(req: WorkerRequest): Runtime {
  const key = `${req.codeId}${req.allowUnresolvedImports ? '+u' : ''}`
  let rt = runtimes.get(key)
  if (rt) {
    runtimes.delete(key)
    runtimes.set(key, rt)
    return rt
  }
  if (req.code === undefined) throw new Error(`the executor worker does not hold code ${req.codeId}`)
  rt = Runtime.load(fromHex(req.code), { allowUnresolvedImports: req.allowUnresolvedImports })
  runtimes.set(key, rt)
  while (runtimes.size > KEPT_RUNTIMES) runtimes.delete(runtimes.keys().next().value!)
  return rt
}

function asker(port: MessagePort, flag: Int32Array, timeoutMs: number): Ask {
  return (name, args) => {
    Atomics.store(flag, 0, 0)
    port.postMessage({ name, args } satisfies CallbackQuestion)
    if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') throw new CallbackError(`${name} did not answer within ${timeoutMs} ms`)
    const got = receiveMessageOnPort(port)
    if (!got) throw new CallbackError(`${name}: no answer on the port`)
    const answer = got.message as CallbackAnswer
    if (!answer.ok) throw new CallbackError(`${name}: ${answer.message}`)
    return answer.value
  }
}

function versionJson(rt: Runtime): RuntimeVersionJson {
  const v = rt.version()
  return {
    specName: toHex(utf8(v.specName)) as RuntimeVersionJson['specName'],
    implName: toHex(utf8(v.implName)) as RuntimeVersionJson['implName'],
    authoringVersion: v.authoringVersion,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    apis: v.apis.map(([id, n]) => [toHex(id) as RuntimeVersionJson['specName'], n]),
    transactionVersion: v.transactionVersion ?? 0,
    stateVersion: v.stateVersion,
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply
  try {
    const rt = runtimeFor(req)
    if (req.kind === 'version') reply = { id: req.id, ok: true, value: versionJson(rt) }
    else {
      const value = runTask(rt, req.task, asker(req.port, req.flag, req.timeoutMs))
      req.port.close()
      reply = { id: req.id, ok: true, value }
    }
  } catch (e) {
    if (req.kind === 'task') req.port.close()
    reply = { id: req.id, ok: false, message: taskErrorMessage(e) }
  }
  parentPort!.postMessage(reply)
})
