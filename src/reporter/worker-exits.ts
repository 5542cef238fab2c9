import { ChildProcess } from 'node:child_process'

/** How a child process of Vitest's main process ended. */
export interface WorkerExit {
  pid: number
  code: number | null
  signal: NodeJS.Signals | null
  /** `Date.now()` when the main process saw it end. */
  at: number
}

const EXITS = Symbol.for('vitest-memory-budget.worker-exits')
const store = globalThis as { [EXITS]?: Map<number, WorkerExit> }

/**
 * Every child process's end from now on, by process id. A worker killed from outside (the kernel's
 * or a cgroup's OOM killer sends SIGKILL) writes nothing more, and Vitest reports only "Worker exited
 * unexpectedly", without the signal; the signal is in the `exit` event of the ChildProcess Vitest
 * forked, which no API of Vitest's passes on. So `exit` events are observed on ChildProcess itself,
 * once per process: read, never changed, and passed on as they were.
 */
export function watchWorkerExits(): Map<number, WorkerExit> {
  if (store[EXITS])
    return store[EXITS]
  const exits = new Map<number, WorkerExit>()
  store[EXITS] = exits
  const prototype = ChildProcess.prototype as { emit: (this: ChildProcess, event: string | symbol, ...args: unknown[]) => boolean }
  const emit = prototype.emit
  prototype.emit = function (event, ...args) {
    if (event === 'exit' && this.pid !== undefined)
      exits.set(this.pid, { pid: this.pid, code: args[0] as number | null, signal: args[1] as NodeJS.Signals | null, at: Date.now() })
    return emit.call(this, event, ...args)
  }
  return exits
}
