import type { RegressionRule } from '../compare/rules.js'
import { isMeasured, type SizeMetric } from '../measure/metric-names.js'
import { testKey } from './files.js'
import type { MemoryReport } from './model.js'

export interface HistoryRun {
  /** How the run was named on the command line: its report's path. */
  label: string
  createdAt: string
}

export interface TestHistory {
  /** `file > test name`, as in the baseline. */
  key: string
  /** The figure per run, oldest first; null where the test was not in the run or not measured. */
  values: Array<number | null>
}

export interface History {
  /** The figure followed across the runs (`total`, the peak, unless asked for another). */
  metric: SizeMetric
  /** The runs that measured it, oldest first. */
  runs: HistoryRun[]
  /**
   * Runs left out because no test of theirs measured the figure (`native` in a run without the
   * interposer): as gaps they would make every test look as if it came and went.
   */
  unmeasuredRuns: string[]
  /** Every test with the figure measured in some run, by key. */
  tests: TestHistory[]
}

/** Each test's `metric` across the reports of several runs, given oldest first (commit order). */
export function buildHistory(reports: ReadonlyArray<{ label: string, report: MemoryReport }>, metric: SizeMetric = 'total'): History {
  const measuring = reports.filter(({ report }) => report.tests.some(test => isMeasured(test.metrics?.[metric])))
  const byKey = new Map<string, Array<number | null>>()
  measuring.forEach(({ report }, run) => {
    for (const test of report.tests) {
      const value = test.metrics?.[metric]
      if (!isMeasured(value))
        continue
      const key = testKey(test)
      let values = byKey.get(key)
      if (!values)
        byKey.set(key, values = Array.from({ length: measuring.length }, () => null))
      values[run] = value
    }
  })
  return {
    metric,
    runs: measuring.map(({ label, report }) => ({ label, createdAt: report.createdAt })),
    unmeasuredRuns: reports.filter(run => !measuring.includes(run)).map(({ label }) => label),
    tests: [...byKey.keys()].sort().map(key => ({ key, values: byKey.get(key)! })),
  }
}

/** Whether a test came or went between runs: measured in some, missing from others. */
export function cameOrWent(test: TestHistory): boolean {
  return test.values.some(value => value === null) && test.values.some(value => value !== null)
}

/**
 * Whether a test's peak moved across the runs past the regression rule (the highest against the
 * lowest), or the test came or went.
 */
export function changedOverRuns(test: TestHistory, rule: RegressionRule): boolean {
  const present = test.values.filter(value => value !== null)
  const low = Math.min(...present)
  const high = Math.max(...present)
  return cameOrWent(test) || (high - low > rule.minDelta && (low === 0 || (high - low) / low > rule.threshold))
}
