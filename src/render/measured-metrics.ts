import { isMeasured, SIZE_METRICS, type SizeMetric } from '../measure/metric-names.js'
import type { ReportTest } from '../report/model.js'

// Which figures a rendering shows, and what it says of a figure measured on one side of a comparison
// only: shared by the terminal, Markdown and HTML renderers so that they agree.

const WITHOUT_NATIVE = SIZE_METRICS.filter(metric => metric !== 'native')

/**
 * The figures a table of `tests` shows: every one, `native` only when some test measured it, so a
 * run without the interposer (another platform, a browser page) reads as it did before native existed.
 */
export function shownMetrics(tests: readonly ReportTest[]): readonly SizeMetric[] {
  return tests.some(test => isMeasured(test.metrics?.native)) ? SIZE_METRICS : WITHOUT_NATIVE
}

/** A figure as a heading or a sentence names it: `total` is what it adds up. */
export function metricLabel(metric: SizeMetric): string {
  return metric === 'total' ? 'heap + external' : metric === 'native' ? 'native (C heap)' : metric
}

/**
 * One sentence per figure that a comparison skipped because only one side measured it (a baseline
 * written before `native` was measured, or a run without the interposer), so that no one reads its
 * silence as "unchanged". Empty when nothing was compared or both sides measured the same figures.
 */
export function describeUncompared(tests: readonly ReportTest[]): string[] {
  const sentences: string[] = []
  for (const metric of SIZE_METRICS) {
    let notInBase = 0
    let notInRun = 0
    for (const test of tests) {
      if (!test.base || !test.metrics)
        continue
      const inBase = isMeasured(test.base[metric])
      const inRun = isMeasured(test.metrics[metric])
      if (inRun && !inBase)
        notInBase++
      else if (inBase && !inRun)
        notInRun++
    }
    if (notInBase > 0)
      sentences.push(`${metric}: not measured in the compared figures of ${countTests(notInBase)} (recorded before ${metric} was, or without it), so not compared.`)
    if (notInRun > 0)
      sentences.push(`${metric}: not measured in this run for ${countTests(notInRun)} that have it in the compared figures, so not compared.`)
  }
  return sentences
}

const countTests = (count: number) => `${count} test${count === 1 ? '' : 's'}`
