import { ALLOCATION_OPTION_NAMES, type AllocationMeasurement, type MeasureAllocationsOptions, type TestClock } from '../measure/allocation-rounds.js'
import { checkOptions } from '../measure/arguments.js'
import { formatBytes, parseSize, type SizeInput, type UnitFamily } from '../measure/size.js'
import { assertFunction, type MatcherContext, type MatcherResult } from './to-stay-under.js'

export type AllocateUnderOptions = MeasureAllocationsOptions

/** The failure of `toAllocateUnder`: bytes per call against the budget, and how they were measured. */
export function formatAllocationFailure(m: AllocationMeasurement, budget: number, family: UnitFamily, negated: boolean): string {
  const size = (bytes: number) => formatBytes(bytes, family)
  const verdict = negated
    ? `expected the function to allocate more than ${size(budget)} per call, but it allocated ${size(m.bytesPerCall)} per call`
    : `expected the function to allocate at most ${size(budget)} per call, but it allocated ${size(m.bytesPerCall)} per call`
  const perSecond = Number.isFinite(m.callsPerSecond) ? `, ${Math.round(m.callsPerSecond).toLocaleString('en-US')} calls/s` : ''
  return [
    verdict,
    '',
    `  measured over ${m.calls} calls after ${m.warmup} warm-up calls (the fewest-allocating of 5 rounds): ${size(m.allocated)} in all, ${m.gcCount} GC${m.gcCount === 1 ? '' : 's'}`,
    `  time per call: ${(m.timePerCall * 1000).toFixed(2)} µs${perSecond} (${m.timedWith})`,
  ].join('\n')
}

/** The running test's timeout and start, when Vitest gave the matcher its task (it does inside a test). */
function clockOf(task: MatcherContext['task']): TestClock | undefined {
  const { timeout, result } = (task ?? {}) as { timeout?: number, result?: { startTime?: number } }
  return typeof timeout === 'number' && typeof result?.startTime === 'number' ? { timeout, startedAt: result.startTime } : undefined
}

/**
 * `await expect(fn).toAllocateUnder('1kB', { calls, warmup })`: the average heap + external bytes
 * allocated per call, after a warm-up, stays at or below the budget (Go's B/op), as `measure` counts them.
 */
export function createToAllocateUnder(measure: (fn: () => unknown, options: MeasureAllocationsOptions | undefined, clock: TestClock | undefined) => Promise<AllocationMeasurement>) {
  return async function toAllocateUnder(this: MatcherContext, received: unknown, budget: SizeInput, options?: AllocateUnderOptions): Promise<MatcherResult> {
    assertFunction(received, 'toAllocateUnder')
    const { bytes, family } = parseSize(budget, 'budget')
    if (options !== undefined)
      checkOptions('toAllocateUnder()', options, ALLOCATION_OPTION_NAMES)
    const measurement = await measure(received, options, clockOf(this.task))
    return {
      pass: measurement.bytesPerCall <= bytes,
      message: () => formatAllocationFailure(measurement, bytes, family, Boolean(this.isNot)),
    }
  }
}
