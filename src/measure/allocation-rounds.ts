import { checkCall, wholeNumber } from './arguments.js'
import { isThenable } from './measure.js'
import type { ClosedWindow, MemoryProbe } from './probe.js'
import { freshRepeater } from './repeat.js'

// Bytes per call of a hot path (Go's B/op), over one probe: the same rounds in a Node worker and in a
// Chromium page; only how the time per call is taken differs (tinybench in Node).

/** Measured rounds of `calls` calls each. */
const ROUNDS = 5

export interface MeasureAllocationsOptions {
  /** Calls measured in each of five rounds (default 10,000). */
  calls?: number
  /** Calls run first and not measured, so compilation and first-run caches are not counted (default 1000). */
  warmup?: number
}

export const ALLOCATION_OPTION_NAMES: ReadonlyArray<keyof MeasureAllocationsOptions> = ['calls', 'warmup']

/** Bytes allocated per call of a hot path (Go's B/op), with its time per call. */
export interface AllocationMeasurement {
  /** Heap + external bytes allocated per call, on average, freed or not. */
  bytesPerCall: number
  /** Everything the measured calls allocated (in the round that allocated least). */
  allocated: number
  /** Calls per measured round (the fewest-allocating of five rounds counts). */
  calls: number
  warmup: number
  /** Garbage collections during the measured calls. */
  gcCount: number
  /** Mean time per call in milliseconds (tinybench in Node; `performance.now()` over one loop in a page). */
  timePerCall: number
  /** Calls per second. */
  callsPerSecond: number
  /** How the time was taken: `tinybench` in Node, `performance.now()` over one loop of the calls in a page. */
  timedWith: string
}

/** How a runtime times `calls` calls of `fn`. */
export type TimeCalls = (fn: () => unknown, calls: number) => Promise<Pick<AllocationMeasurement, 'timePerCall' | 'callsPerSecond' | 'timedWith'>>

/**
 * Runs `fn` `warmup` times, then `calls` times while counting every byte allocated, and once more
 * under `timeCalls` for its time per call. For hot paths that must stay allocation-free.
 */
export async function measureAllocationsWith(probe: MemoryProbe, timeCalls: TimeCalls, fn: () => unknown, options: MeasureAllocationsOptions = {}): Promise<AllocationMeasurement> {
  checkCall('measureAllocations', fn, options, ALLOCATION_OPTION_NAMES)
  const calls = wholeNumber(options.calls, 'calls', 1, 10_000)
  const warmup = wholeNumber(options.warmup, 'warmup', 0, 1000)

  return probe.exclusive(async () => {
    // The warm-up goes through the same loop as the measurement, so that neither the function nor
    // the loop is still being compiled (compiled code lives on the heap too) while bytes are counted.
    // A loop of its own for every measurement: a shared one carries the type feedback of earlier
    // functions, and with compilation on the main thread (the plugin's workers) V8 deoptimizes and
    // recompiles it inside every round, on the heap being counted (measured: +230 B per call of
    // `new Array(1000).fill(0)`, 2.8% too much, in a worker that had measured other functions).
    const callRepeatedly = freshRepeater()
    await callRepeatedly(fn, warmup)
    // V8 can still be compiling and installing code (or its own loop here) during any one round; that
    // only ever adds bytes, so the smallest of a few rounds is the function's own allocation.
    let fewest: ClosedWindow | undefined
    for (let round = 0; round < ROUNDS; round++) {
      // Each window opens after a full GC. Awaited only when pending: an await on Node's window
      // would allocate inside it.
      const opening = probe.openWindow({})
      const window = isThenable(opening) ? await opening : opening
      await callRepeatedly(fn, calls)
      const closing = window.close()
      const closed = isThenable(closing) ? await closing : closing
      if (!fewest || closed.allocated < fewest.allocated)
        fewest = closed
    }
    const closed = fewest!
    return {
      bytesPerCall: closed.allocated / calls,
      allocated: closed.allocated,
      calls,
      warmup,
      gcCount: closed.gcCount,
      ...await timeCalls(fn, calls),
    }
  })
}
