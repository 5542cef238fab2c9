import { checkCall, describeValue } from './arguments.js'
import { measureWith, type MemoryMeasurement, type WantDetails } from './measure.js'
import { nodeProbe, runExclusive } from './node/probe.js'
import type { RssMethodOption } from './rss.js'

export type { MemoryMetrics } from './metrics.js'
export { isThenable, type MemoryMeasurement, type WantDetails } from './measure.js'
export { runExclusive } from './node/probe.js'

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

/** `measureMemory` without its argument checks and queue, for the matchers. */
export function measure(fn: () => unknown, options: MeasureMemoryOptions, wantDetails?: WantDetails): Promise<MemoryMeasurement> {
  // Node's probe reads RSS by the kernel or by the sampler, never 'none' (a browser page's).
  return measureWith(nodeProbe, fn, options, wantDetails) as Promise<MemoryMeasurement>
}
