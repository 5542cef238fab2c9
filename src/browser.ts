// `vitest-memory-budget/browser`: what a test in a Chromium page imports. Nothing below it imports a
// Node module (test/unit/browser-imports.test.ts checks).
export { measureAllocations, measureMemory } from './matchers/browser-probe.js'
export type { AllocationMeasurement, MeasureAllocationsOptions } from './measure/allocation-rounds.js'
import type { MemoryMeasurement as Measurement } from './measure/measure.js'
export type { MemoryMetrics } from './measure/metrics.js'
export type { DomCounts } from './measure/probe.js'
export { formatBytes, parseSize, type SizeInput } from './measure/size.js'
export type {} from './matchers/types.js'

/** A measurement in the page: no RSS (`rss` is NaN, `rssMethod` is `'none'`). */
export type MemoryMeasurement = Measurement<'none'>
