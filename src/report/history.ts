import type { RegressionRule } from '../compare/rules.js'
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
  /** Peak (total) per run, oldest first; null where the test was not in the run or not measured. */
  values: Array<number | null>
}

export interface History {
  runs: HistoryRun[]
  /** Every test of any run, by key. */
  tests: TestHistory[]
}

/** Each test's peak across the reports of several runs, given oldest first (commit order). */
export function buildHistory(reports: ReadonlyArray<{ label: string, report: MemoryReport }>): History {
  const byKey = new Map<string, Array<number | null>>()
  reports.forEach(({ report }, run) => {
    for (const test of report.tests) {
      if (!test.metrics)
        continue
      const key = testKey(test)
      let values = byKey.get(key)
      if (!values)
        byKey.set(key, values = Array.from({ length: reports.length }, () => null))
      values[run] = test.metrics.total
    }
  })
  return {
    runs: reports.map(({ label, report }) => ({ label, createdAt: report.createdAt })),
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
