import type { MemoryMetrics } from '../measure/measure-memory.js'
import { REGRESSION_METRICS, type RegressionMetric, type RegressionRules } from './rules.js'

/** The compared figures of one test, in bytes. */
export type ComparedMetrics = Record<RegressionMetric, number>

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
 * Written out rather than built from that list: for 10,000 tests, building them cost tens of ms.
 */
export function pickFigures(source: Readonly<ComparedMetrics>, value: (figure: number) => number): ComparedMetrics {
  return {
    total: value(source.total),
    heap: value(source.heap),
    external: value(source.external),
    rss: value(source.rss),
    retained: value(source.retained),
    allocated: value(source.allocated),
  }
}

/** A figure that was not measured (`rss` in a browser page: NaN, or null once through JSON) stays so. */
const roundFigure = (figure: number): number => (Number.isFinite(figure) ? Math.round(figure) : Number.NaN)

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
    // A figure not measured on either side (`rss` of a browser test) has nothing to compare.
    if (!rule || !Number.isFinite(base[metric]) || !Number.isFinite(head[metric]))
      continue
    const delta = head[metric] - base[metric]
    const ratio = base[metric] === 0 ? (delta === 0 ? 0 : Infinity) : delta / base[metric]
    if (Math.abs(delta) > rule.minDelta && Math.abs(ratio) > rule.threshold)
      changes.push({ metric, base: base[metric], head: head[metric], delta, ratio, direction: delta > 0 ? 'regressed' : 'improved' })
  }
  return changes
}
