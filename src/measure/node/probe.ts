import { AsyncLocalStorage } from 'node:async_hooks'
import v8 from 'node:v8'
import { getGc } from '../gc.js'
import { nativeUnavailable } from '../native.js'
import type { MemoryProbe } from '../probe.js'
import { heapNow, openMemoryWindow } from '../window.js'

/**
 * Whether an AsyncLocalStorage costs nothing here. Node 24 carries its store in an AsyncContextFrame;
 * before, entering one turns V8's promise hooks on for the rest of the process, and every later
 * promise allocates about 230 B more: a test awaiting 20,000 promises read 4.4 MB before any matcher
 * ran in its worker and 8.0 MB after one.
 */
const contextIsFree = Number(process.versions.node.split('.')[0]) >= 24
  && ![...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--no-async-context-frame')

/** Marks the async context of a running measurement, so a nested call runs at once instead of queueing behind its parent. */
const insideMeasurement = contextIsFree ? new AsyncLocalStorage<true>() : undefined
/** Where there is no free context: measurements running now. */
let running = 0
let queue: Promise<unknown> = Promise.resolve()

/**
 * Without a free context, any call made while a measurement runs is taken for a nested one and runs
 * at once: a call from a measured function cannot be told from one made by a test running
 * concurrently (`test.concurrent`), whose measurement then overlaps and counts the other's memory.
 */
function isNested(): boolean {
  return insideMeasurement ? insideMeasurement.getStore() === true : running > 0
}

async function runMarked<T>(task: () => Promise<T>): Promise<T> {
  if (insideMeasurement)
    return insideMeasurement.run(true, task)
  running++
  try {
    return await task()
  }
  finally {
    running--
  }
}

/** {@link MemoryProbe.exclusive} for a Node process, which may run concurrent tests. */
export function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  if (isNested())
    return task()
  const turn = queue.then(() => runMarked(task))
  queue = turn.catch(() => {})
  return turn
}

/** The process's own V8: `v8.GCProfiler` for GC events, `gc()` from `--expose-gc`, RSS from the kernel. Synchronous where it can be, so nothing of its own runs between the baseline and the call. */
export const nodeProbe: MemoryProbe = {
  measuresRss: true,
  nativeUnavailable,
  collectGarbage: () => getGc()(),
  openWindow(options) {
    getGc()()
    return openMemoryWindow(options)
  },
  heapNow,
  // V8's code spaces, and on V8 12 and later its trusted spaces (bytecode, code metadata).
  codeNow: () => v8.getHeapSpaceStatistics().reduce((sum, space) => (/code|trusted/.test(space.space_name) ? sum + space.space_used_size : sum), 0),
  // The profiler's code and its inspector session load on first use, before the baseline GC, so
  // they never count as the call's memory, and a worker that never samples never loads them.
  sampleAllocations: async () => (await import('../allocation-sites.js')).startAllocationSampling(),
  exclusive: runExclusive,
}
