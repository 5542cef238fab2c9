import { type AllocationMeasurement, measureAllocationsWith, type MeasureAllocationsOptions, type TestClock, type TimeCalls } from './allocation-rounds.js'
import { nodeProbe } from './node/probe.js'

export { ALLOCATION_OPTION_NAMES, type AllocationMeasurement, type MeasureAllocationsOptions } from './allocation-rounds.js'

/** Time per call from tinybench, loaded on first use: every test worker loads this module, few of them time anything. */
const timeWithTinybench: TimeCalls = async (fn, calls) => {
  const { Bench } = await import('tinybench')
  const bench = new Bench({ iterations: calls, time: 0, warmup: false, throws: true })
  bench.add('call', fn)
  await bench.run()
  const result = bench.tasks[0]!.result as { latency?: { mean: number }, throughput?: { mean: number } }
  return { timePerCall: result.latency?.mean ?? Number.NaN, callsPerSecond: result.throughput?.mean ?? Number.NaN, timedWith: 'tinybench' }
}

/**
 * Runs `fn` `warmup` times, then `calls` times while counting every byte allocated, and once more
 * under tinybench for its time per call. For hot paths that must stay allocation-free.
 */
export function measureAllocations(fn: () => unknown, options: MeasureAllocationsOptions = {}): Promise<AllocationMeasurement> {
  return measureAllocationsWith(nodeProbe, timeWithTinybench, fn, options)
}

/** `measureAllocations` for the matcher, which knows the running test's timeout and stops short of it. */
export function measureAllocationsInTest(fn: () => unknown, options: MeasureAllocationsOptions | undefined, clock: TestClock | undefined): Promise<AllocationMeasurement> {
  return measureAllocationsWith(nodeProbe, timeWithTinybench, fn, options, clock)
}
