import type { MemoryMetrics } from '../measure/measure-memory.js'
import { isMeasured } from '../measure/metric-names.js'
import { REGRESSION_METRICS, type RegressionMetric, type RegressionRules } from './rules.js'

/**
 * The compared figures of one test, in bytes. `native` is absent from baselines and reports written
 * before it was measured, and where it was not: such a figure is compared with nothing.
 */
export type ComparedMetrics = Record<Exclude<RegressionMetric, 'native'>, number> & { native?: number }

export interface MetricChange {
  metric: RegressionMetric
  base: number
  head: number
  /** head - base, in bytes. */
  delta: number
  /** delta / base; Infinity when the base was 0. */
  ratio: number
  direction: 'regressed' | 'improved'
}

/**
 * The compared figures of `source`, each passed through `value`, in the order of REGRESSION_METRICS.
 * Written out rather than built from that list (its type still makes the compiler check every name):
 * for 10,000 tests, building them cost tens of ms. A `native` not measured is left undefined, which
 * JSON leaves out: a baseline of runs without the interposer reads as it did before `native` existed.
 */
export function pickFigures(source: Readonly<ComparedMetrics>, value: (figure: number) => number): ComparedMetrics {
  return {
    total: value(source.total),
    heap: value(source.heap),
    external: value(source.external),
    rss: value(source.rss),
    native: isMeasured(source.native) ? value(source.native) : undefined,
    retained: value(source.retained),
    allocated: value(source.allocated),
  }
}

/** A figure that was not measured (`rss` in a browser page, `native` without the interposer: NaN, or null once through JSON) stays so. */
const roundFigure = (figure: number): number => (isMeasured(figure) ? Math.round(figure) : Number.NaN)

/** Picks the compared figures out of full metrics, rounded to whole bytes; one not measured is NaN (null in JSON). */
export function comparedMetrics(metrics: MemoryMetrics): ComparedMetrics {
  return pickFigures(metrics, roundFigure)
}

/**
 * The metrics on which `head` differs from `base` by more than both the threshold and the minimum
 * delta of their rule: up is a regression, down an improvement.
 */
export function compareMetrics(base: ComparedMetrics, head: ComparedMetrics, rules: RegressionRules): MetricChange[] {
  const changes: MetricChange[] = []
  for (const metric of REGRESSION_METRICS) {
    const rule = rules.metrics[metric]
    const before = base[metric]
    const after = head[metric]
    // A figure not measured on either side (`rss` of a browser test, `native` without the interposer
    // or in a baseline older than it) has nothing to compare: no change, rather than a NaN% one.
    if (!rule || !isMeasured(before) || !isMeasured(after))
      continue
    const delta = after - before
    const ratio = before === 0 ? (delta === 0 ? 0 : Infinity) : delta / before
    if (Math.abs(delta) > rule.minDelta && Math.abs(ratio) > rule.threshold)
      changes.push({ metric, base: before, head: after, delta, ratio, direction: delta > 0 ? 'regressed' : 'improved' })
  }
  return changes
}
