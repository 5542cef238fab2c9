import type { AllocationSite, HeapProfile } from './allocation-sites.js'
import type { HeapPoint, TimelinePoint } from './gc-trace.js'
import { type MemoryMetrics, toMetrics } from './metrics.js'
import type { DomCounts, MemoryProbe, WindowOptions } from './probe.js'
import type { RssMethod } from './rss.js'

export interface MeasureOptions extends WindowOptions {
  /** Record where memory was allocated, where the runtime can (default false). */
  allocationSites?: boolean
  /** Called with the sampling heap profile behind `allocationSites`, when they are read. */
  onHeapProfile?: (profile: HeapProfile) => void
}

/** A measurement of one call. `Method`: how `rss` is measured where it was taken (in Node, `'kernel'` or `'sampler'`). */
export interface MemoryMeasurement<Method extends RssMethod = Exclude<RssMethod, 'none'>> extends MemoryMetrics {
  /** How `rss` was measured: `'none'` where the runtime cannot (a browser page), then `rss` is NaN. */
  rssMethod: Method
  /** Heap and external memory at the start, before and after each GC, and at the end (relative to the baseline). */
  timeline: TimelinePoint[]
  /** Biggest allocation sites first; empty unless `allocationSites` was requested. */
  allocationSites: AllocationSite[]
  /** DOM nodes, documents and listeners at the end of the call minus at its start; only in a browser. */
  dom?: DomCounts
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Collects garbage fully, then reads the heap, without letting other code run in between where the
 * probe is synchronous (Node): an await there would let pending promise jobs allocate before the
 * reading. A page's probe is asynchronous anyway.
 */
export async function heapAfterGc(probe: MemoryProbe, collections = 1): Promise<HeapPoint> {
  for (let i = 0; i < collections; i++) {
    const collecting = probe.collectGarbage()
    if (collecting)
      await collecting
  }
  return probe.heapNow()
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
 * Decides from a call's peaks whether its `retained` memory and allocation sites are worth reading:
 * the first takes a full GC (5 to 20 ms in a Vitest worker), the second about 6 ms, and a passing
 * assertion shows neither. `retained` is not known yet when it is asked (NaN).
 */
export type WantDetails = (metrics: MemoryMetrics) => boolean

/**
 * Runs `fn` once under a probe and measures its memory, without argument checks or queueing. When
 * `wantDetails` says no, `retained` is NaN and `allocationSites` empty.
 */
export async function measureWith(probe: MemoryProbe, fn: () => unknown, options: MeasureOptions, wantDetails: WantDetails = () => true): Promise<MemoryMeasurement<RssMethod>> {
  const sampling = options.allocationSites && probe.sampleAllocations ? await probe.sampleAllocations() : undefined

  // The window opens after one full GC, for a clean baseline. A second would free what the weak
  // callbacks of the first released: little, and older than the call, so it would only come off
  // `retained`, which is never below zero. It would cost as much again as everything else here.
  // Awaited only when pending: an await on Node's window would allocate between baseline and call.
  const opening = probe.openWindow(options)
  const window = isThenable(opening) ? await opening : opening

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

  const closing = window.close()
  const closed = isThenable(closing) ? await closing : closing
  const details = { rssMethod: closed.rssMethod, timeline: closed.timeline, ...(closed.dom && { dom: closed.dom }) }
  const peaks = toMetrics(closed, Number.NaN)
  if (failure || !wantDetails(peaks)) {
    await sampling?.discard()
    if (failure)
      throw failure.error
    return { ...peaks, ...details, allocationSites: [] }
  }
  const sampled = sampling ? await sampling.read() : undefined
  if (sampled)
    options.onHeapProfile?.(sampled.profile)
  const allocationSites = sampled ? sampled.sites : []
  const after = await heapAfterGc(probe)
  return {
    // Below zero means the end GC freed something older than the call: the call itself kept nothing.
    ...toMetrics(closed, Math.max(0, after.heap + after.external - closed.baseline.heap - closed.baseline.external)),
    ...details,
    allocationSites,
  }
}
