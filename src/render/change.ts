import type { MetricChange } from '../compare/compare.js'

/** A ratio as a signed percentage to a tenth, its sign read after rounding: -0.004% is 0.0%, not -0.0%. */
export function formatPercent(ratio: number): string {
  const tenths = Math.round(ratio * 1000)
  return `${tenths > 0 ? '+' : tenths < 0 ? '-' : ''}${(Math.abs(tenths) / 10).toFixed(1)}%`
}

/** A metric's change against the baseline, in percent to one decimal, the same in every renderer. */
export function formatChange(change: MetricChange): string {
  return change.ratio === Infinity ? 'new' : formatPercent(change.ratio)
}
