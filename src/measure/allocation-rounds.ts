import { checkCall, wholeNumber } from './arguments.js'
import { isThenable } from './measure.js'
import type { ClosedWindow, MemoryProbe } from './probe.js'
import { freshRepeater } from './repeat.js'

// Bytes per call of a hot path (Go's B/op), over one probe: the same rounds in a Node worker and in a
// Chromium page; only how the time per call is taken differs (tinybench in Node).

/** Measured rounds of `calls` calls each. */
const ROUNDS = 5

/**
 * Without `calls`, a round holds as many calls as the warm-up says fit in 100 ms, from 10 to 10,000:
 * tinybench sizes its runs by time the same way. A fixed 10,000 made 5 rounds and a timing run of a
 * 0.5 ms function take 30 s, far past Vitest's 5 s timeout.
 */
const ROUND_TIME_MS = 100
const MIN_CALLS = 10
const MAX_CALLS = 10_000
/** Without `warmup`: 1000 calls, or fewer if they take more than 250 ms (tinybench's warm-up time). */
const WARMUP_CALLS = 1000
const WARMUP_TIME_MS = 250

export interface MeasureAllocationsOptions {
  /**
   * Calls measured in each of five rounds. By default as many as run in about 100 ms by the
   * warm-up's time per call, from 10 to 10,000 (10,000 with `warmup: 0`, which times nothing).
   */
  calls?: number
  /**
   * Calls run first and not measured, so compilation and first-run caches are not counted. By default
   * 1000, or as many as run in 250 ms if fewer.
   */
  warmup?: number
}

/** The running test's timeout and when it started (`Date.now()`), for a measurement to stop before it. */
export interface TestClock {
  timeout: number
  startedAt: number
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

type Repeater = ReturnType<typeof freshRepeater>

/**
 * Runs the warm-up through `callRepeatedly`: `calls` calls if given, else up to 1000 in batches that
 * double (1, 2, 4 …) until 250 ms have passed. Returns how many ran, and the time per call of the last
 * batch, the warmest: the first calls run in V8's interpreter (timed over the whole warm-up, a 1 µs
 * loop read 12 µs a call).
 */
async function warmUp(callRepeatedly: Repeater, fn: () => unknown, calls: number | undefined): Promise<{ calls: number, timePerCall: number }> {
  const started = performance.now()
  const limit = calls ?? WARMUP_CALLS
  let done = 0
  let timePerCall = Number.NaN
  for (let batch = 1; done < limit; batch *= 2) {
    const size = calls ?? Math.min(batch, limit - done)
    const batchStarted = performance.now()
    await callRepeatedly(fn, size)
    timePerCall = (performance.now() - batchStarted) / size
    done += size
    if (calls === undefined && performance.now() - started >= WARMUP_TIME_MS)
      break
  }
  return { calls: done, timePerCall }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/**
 * Throws when the rounds, at the warm-up's time per call, would run past the test's timeout: Vitest's
 * own message would name only the timeout, while the number of calls is what makes it long.
 */
function checkTime(calls: number, timePerCall: number, clock: TestClock | undefined): void {
  if (!clock || !(timePerCall > 0) || !Number.isFinite(clock.timeout) || clock.timeout <= 0)
    return
  // Five measured rounds and the timing run, each of `calls` calls.
  const needed = (ROUNDS + 1) * calls * timePerCall
  const left = clock.timeout - (Date.now() - clock.startedAt)
  if (needed <= left)
    return
  const fitting = Math.max(1, Math.floor(left / 2 / (ROUNDS + 1) / timePerCall))
  throw new Error(`measuring allocations would take about ${seconds(needed)}: ${ROUNDS + 1} runs of ${calls.toLocaleString('en-US')} calls at ${timePerCall.toFixed(3)} ms a call (${ROUNDS} measured rounds and one timed), and the test has ${seconds(Math.max(0, left))} left of its ${clock.timeout} ms timeout. Pass fewer calls (e.g. { calls: ${fitting.toLocaleString('en-US')} }), leave calls out to size the rounds by time, or give the test a longer timeout.`)
}

/**
 * Runs `fn` `warmup` times, then `calls` times while counting every byte allocated, and once more
 * under `timeCalls` for its time per call. For hot paths that must stay allocation-free. With the
 * running test's `clock`, throws before starting rounds that would outlast its timeout.
 */
export async function measureAllocationsWith(probe: MemoryProbe, timeCalls: TimeCalls, fn: () => unknown, options: MeasureAllocationsOptions = {}, clock?: TestClock): Promise<AllocationMeasurement> {
  checkCall('measureAllocations', fn, options, ALLOCATION_OPTION_NAMES)
  const givenCalls = options.calls === undefined ? undefined : wholeNumber(options.calls, 'calls', 1, MAX_CALLS)
  const givenWarmup = options.warmup === undefined ? undefined : wholeNumber(options.warmup, 'warmup', 0, WARMUP_CALLS)

  return probe.exclusive(async () => {
    // The warm-up goes through the same loop as the measurement, so that neither the function nor
    // the loop is still being compiled (compiled code lives on the heap too) while bytes are counted.
    // A loop of its own for every measurement: a shared one carries the type feedback of earlier
    // functions, and with compilation on the main thread (the plugin's workers) V8 deoptimizes and
    // recompiles it inside every round, on the heap being counted (measured: +230 B per call of
    // `new Array(1000).fill(0)`, 2.8% too much, in a worker that had measured other functions).
    const callRepeatedly = freshRepeater()
    const warm = await warmUp(callRepeatedly, fn, givenWarmup)
    const warmup = warm.calls
    const calls = givenCalls ?? (warm.timePerCall > 0
      ? Math.min(MAX_CALLS, Math.max(MIN_CALLS, Math.round(ROUND_TIME_MS / warm.timePerCall)))
      : MAX_CALLS)
    checkTime(calls, warm.timePerCall, clock)
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
