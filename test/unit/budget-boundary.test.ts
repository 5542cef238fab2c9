import { describe, expect, test } from 'vitest'
import { summarizeGcTrace } from '../../src/measure/gc-trace.js'
import type { AllocationMeasurement } from '../../src/measure/allocation-rounds.js'
import type { MemoryProbe } from '../../src/measure/probe.js'
import { createToAllocateUnder } from '../../src/matchers/to-allocate-under.js'
import { createToStayUnder, type MatcherContext } from '../../src/matchers/to-stay-under.js'

// The README: a matcher passes when the figure is "at or below the budget". No real heap lands on an
// exact byte count, so the verdict is held at its boundary on readings of known size: a probe whose
// window reports one GC-free interval (the figures the Node and Chromium probes hand over), and an
// allocation count handed to toAllocateUnder as its measuring function would hand it. How those
// figures are measured is tested against real allocations in test/measure.test.ts and allocations.test.ts.

const BASELINE = { heap: 4_000_000, external: 1_000_000 }

/** A probe whose every window ends `heap` and `external` bytes above its baseline, with no GC in between, and the C heap `native` above (NaN: not measured). */
function probeEndingAbove(heap: number, external: number, native = Number.NaN): MemoryProbe {
  const end = { heap: BASELINE.heap + heap, external: BASELINE.external + external }
  const measured = !Number.isNaN(native)
  return {
    measuresRss: false,
    nativeUnavailable: () => (measured ? undefined : 'no library in this test probe'),
    collectGarbage: () => {},
    heapNow: () => BASELINE,
    openWindow: () => ({ close: () => ({ ...summarizeGcTrace(BASELINE, [], end), baseline: BASELINE, end, rss: Number.NaN, rssMethod: 'none', native, nativeMethod: measured ? 'interposer' : 'none', duration: 1 }) }),
    exclusive: task => task(),
  }
}

const context = (isNot: boolean) => ({ isNot }) as MatcherContext
const noop = () => {}

describe('toStayUnder at its budget', () => {
  // 300,000 B of heap and 700,000 B external: a peak total of exactly 1 MB; 2 MB of C heap beside.
  const toStayUnder = createToStayUnder(probeEndingAbove(300_000, 700_000, 2_000_000))

  test.each([
    ['total', 1_000_000],
    ['heap', 300_000],
    ['external', 700_000],
    ['native', 2_000_000],
  ] as const)('%s: a peak equal to the budget passes, one byte more fails', async (metric, peak) => {
    expect((await toStayUnder.call(context(false), noop, peak, { metric })).pass).toBe(true)
    expect((await toStayUnder.call(context(false), noop, `${peak} B`, { metric })).pass).toBe(true)
    expect((await toStayUnder.call(context(false), noop, peak - 1, { metric })).pass).toBe(false)
  })

  test('.not gets the same verdict to negate', async () => {
    const atBudget = await toStayUnder.call(context(true), noop, '1MB')
    expect(atBudget.pass).toBe(true)
    expect((await toStayUnder.call(context(true), noop, '999999B')).pass).toBe(false)
  })
})

test('a native budget where the C heap is not measured throws, with or without .not, instead of passing on a NaN', async () => {
  const toStayUnder = createToStayUnder(probeEndingAbove(300_000, 700_000))
  for (const negated of [false, true])
    await expect(toStayUnder.call(context(negated), noop, '1GB', { metric: 'native' })).rejects.toThrow('toStayUnder(): the native metric is not measured here: no library in this test probe.')
})

describe('toAllocateUnder at its budget', () => {
  const measured = (bytesPerCall: number): AllocationMeasurement => ({ bytesPerCall, allocated: bytesPerCall * 100, calls: 100, warmup: 10, gcCount: 0, timePerCall: 0.001, callsPerSecond: 1e6, timedWith: 'tinybench' })
  const toAllocateUnder = createToAllocateUnder(async () => measured(1_024))

  test('bytes per call equal to the budget pass, one byte more fails, in either unit family', async () => {
    expect((await toAllocateUnder.call(context(false), noop, '1KiB')).pass).toBe(true)
    expect((await toAllocateUnder.call(context(false), noop, 1_024)).pass).toBe(true)
    expect((await toAllocateUnder.call(context(false), noop, 1_023)).pass).toBe(false)
    expect((await toAllocateUnder.call(context(false), noop, '1kB')).pass).toBe(false)
  })
})
