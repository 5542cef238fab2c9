import { type MeasureLeakOptions, measureLeakWith, type LeakMeasurement } from './leak-trend.js'
import { nodeProbe } from './node/probe.js'

export { DOM_LEAK_PER_CALL, LEAK_OPTION_NAMES, type LeakMeasurement, type MeasureLeakOptions, robustSlope } from './leak-trend.js'

/**
 * Calls `fn` repeatedly and measures what stays reachable after full GCs: a function that keeps
 * something per call (a module-level array, a listener never removed) shows as a steady slope;
 * a cache that fills (in the warm-up or during the batches) stops growing.
 */
export function measureLeak(fn: () => unknown, options: MeasureLeakOptions = {}): Promise<LeakMeasurement> {
  return measureLeakWith(nodeProbe, fn, options)
}
