import { AsyncLocalStorage } from 'node:async_hooks'
import { getGc } from '../gc.js'
import type { MemoryProbe } from '../probe.js'
import { heapNow, openMemoryWindow } from '../window.js'

/** Marks the async context of a running measurement, so a nested call runs at once instead of queueing behind its parent. */
const insideMeasurement = new AsyncLocalStorage<true>()
let queue: Promise<unknown> = Promise.resolve()

/** {@link MemoryProbe.exclusive} for a Node process, which may run concurrent tests. */
export function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  if (insideMeasurement.getStore())
    return task()
  const turn = queue.then(() => insideMeasurement.run(true, task))
  queue = turn.catch(() => {})
  return turn
}

/** The process's own V8: `v8.GCProfiler` for GC events, `gc()` from `--expose-gc`, RSS from the kernel. Synchronous where it can be, so nothing of its own runs between the baseline and the call. */
export const nodeProbe: MemoryProbe = {
  measuresRss: true,
  collectGarbage: () => getGc()(),
  openWindow(options) {
    getGc()()
    return openMemoryWindow(options)
  },
  heapNow,
  // The profiler's code and its inspector session load on first use, before the baseline GC, so
  // they never count as the call's memory, and a worker that never samples never loads them.
  sampleAllocations: async () => (await import('../allocation-sites.js')).startAllocationSampling(),
  exclusive: runExclusive,
}
