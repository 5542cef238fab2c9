import type { MemoryMetrics } from './metrics.js'

// The names of a test's figures in bytes, listed once: the comparison with a baseline, the baseline
// and report files, every renderer and the CLI take them from here, so a new figure is added in one place.

/** A test's figures in bytes, in the order every table, baseline entry and comparison shows them. */
export const SIZE_METRICS = ['total', 'heap', 'external', 'rss', 'native', 'retained', 'allocated'] as const satisfies ReadonlyArray<keyof MemoryMetrics>

export type SizeMetric = typeof SIZE_METRICS[number]

/** Whether a figure was measured: a number, not NaN, null (JSON) or absent (an older file). */
export function isMeasured(figure: number | null | undefined): figure is number {
  return Number.isFinite(figure)
}
