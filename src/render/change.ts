import type { MetricChange } from '../compare/compare.js'

/** A metric's change against the baseline, in percent to one decimal, the same in every renderer. */
export function formatChange(change: MetricChange): string {
  return change.ratio === Infinity ? 'new' : `${change.ratio > 0 ? '+' : ''}${(change.ratio * 100).toFixed(1)}%`
}
