import { AsyncLocalStorage } from 'node:async_hooks'
import type { AllocationSite } from './allocation-sites.js'
import { checkCall, describeValue } from './arguments.js'
import { getGc } from './gc.js'
import type { TimelinePoint } from './gc-trace.js'
import type { RssMethod, RssMethodOption } from './rss.js'
import { type MemoryMetrics, toMetrics } from './metrics.js'
import { heapNow, openMemoryWindow } from './window.js'

export type { MemoryMetrics } from './metrics.js'

export interface MeasureMemoryOptions {
  /**
   * How to measure peak RSS. `auto` (default) reads the kernel's high-water mark where Linux allows
   * resetting it and samples from a worker thread elsewhere; `kernel` or `sampler` force one.
   */
  rss?: RssMethodOption
  /** Sampling interval of the RSS sampler thread, in milliseconds (default 1). */
  rssSampleInterval?: number
  /** Record where memory was allocated with V8's sampling heap profiler (default false). */
  allocationSites?: boolean
}

export interface MemoryMeasurement extends MemoryMetrics {
  /** How `rss` was measured; see {@link MeasureMemoryOptions.rss}. */
  rssMethod: RssMethod
  /** Heap and external memory at the start, before and after each GC, and at the end (relative to the baseline). */
  timeline: TimelinePoint[]
  /** Biggest allocation sites first; empty unless `allocationSites` was requested. */
  allocationSites: AllocationSite[]
}

const RSS_OPTIONS: readonly RssMethodOption[] = ['auto', 'kernel', 'sampler']
const OPTION_NAMES: ReadonlyArray<keyof MeasureMemoryOptions> = ['rss', 'rssSampleInterval', 'allocationSites']

function validateOptions(options: MeasureMemoryOptions): void {
  if (options.rss !== undefined && !RSS_OPTIONS.includes(options.rss))
    throw new TypeError(`Invalid rss option: ${describeValue(options.rss)}. Expected one of ${RSS_OPTIONS.map(o => `'${o}'`).join(', ')}.`)
  const interval = options.rssSampleInterval
  if (interval !== undefined && !(typeof interval === 'number' && Number.isFinite(interval) && interval > 0))
    throw new TypeError(`Invalid rssSampleInterval: ${describeValue(interval)}. Expected a number of milliseconds above 0.`)
  if (options.allocationSites !== undefined && typeof options.allocationSites !== 'boolean')
    throw new TypeError(`Invalid allocationSites option: ${describeValue(options.allocationSites)}. Expected true or false.`)
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Calls `fn` and drops what it returned, which the caller never sees: held here, a returned Buffer
 * would still be reachable at the closing GC and count as retained by the call. Returns a promise
 * only for an asynchronous function, one that settles with nothing.
 */
function callForget(fn: () => unknown): Promise<void> | undefined {
  const result = fn()
  return isThenable(result) ? Promise.resolve(result).then(() => {}) : undefined
}

/**
 * Whether an AsyncLocalStorage costs nothing here. Node 24 carries its store in an AsyncContextFrame;
 * before, entering one turns V8's promise hooks on for the rest of the process, and every later
 * promise allocates about 230 B more: a test awaiting 20,000 promises read 4.4 MB before any matcher
 * ran in its worker and 8.6 MB after one.
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

/**
 * Runs `fn` once and measures its memory: exact peaks of heap, external and total memory (taken at
 * GC boundaries, so synchronous spikes are never missed), peak RSS, what it retained and allocated.
 * Rethrows the function's own error or rejection unchanged.
 */
export async function measureMemory(fn: () => unknown, options: MeasureMemoryOptions = {}): Promise<MemoryMeasurement> {
  checkCall('measureMemory', fn, options, OPTION_NAMES)
  validateOptions(options)
  return runExclusive(() => measure(fn, options))
}

/**
 * One heap, one set of GC counters: measurements started together (Promise.all, concurrent tests)
 * run one after another, or each would count the other's memory. A nested one runs at once.
 */
export function runExclusive<T>(task: () => Promise<T>): Promise<T> {
  if (isNested())
    return task()
  const turn = queue.then(() => runMarked(task))
  queue = turn.catch(() => {})
  return turn
}

/**
 * Decides from a call's peaks whether its `retained` memory and allocation sites are worth reading:
 * the first takes a full GC (5 to 20 ms in a Vitest worker), the second about 6 ms, and a passing
 * assertion shows neither. `retained` is not known yet when it is asked (NaN).
 */
export type WantDetails = (metrics: MemoryMetrics) => boolean

/**
 * `measureMemory` without its argument checks and queue, for the matchers. When `wantDetails` says
 * no, `retained` is NaN and `allocationSites` empty.
 */
export async function measure(fn: () => unknown, options: MeasureMemoryOptions, wantDetails: WantDetails = () => true): Promise<MemoryMeasurement> {
  const gc = getGc()
  // The profiler's code and its inspector session load on first use, before the baseline GC, so
  // they never count as the call's memory.
  const sampling = options.allocationSites ? await (await import('./allocation-sites.js')).startAllocationSampling() : undefined

  // One full GC for a clean baseline. A second would free what the weak callbacks of the first
  // released: little, and older than the call, so it would only come off `retained`, which is
  // never below zero. It would cost as much again as everything else here.
  gc()
  const window = openMemoryWindow(options)

  let failure: { error: unknown } | undefined
  try {
    // A synchronous function runs start to end with nothing of ours in between.
    const pending = callForget(fn)
    if (pending)
      await pending
  }
  catch (error) {
    failure = { error }
  }

  const closed = window.close()
  const peaks = toMetrics(closed, Number.NaN)
  if (failure || !wantDetails(peaks)) {
    await sampling?.discard()
    if (failure)
      throw failure.error
    return { ...peaks, rssMethod: closed.rssMethod, timeline: closed.timeline, allocationSites: [] }
  }
  const allocationSites = sampling ? await sampling.read() : []
  gc()
  const after = heapNow()
  return {
    // Below zero means the end GC freed something older than the call: the call itself kept nothing.
    ...toMetrics(closed, Math.max(0, after.heap + after.external - closed.baseline.heap - closed.baseline.external)),
    rssMethod: closed.rssMethod,
    timeline: closed.timeline,
    allocationSites,
  }
}
