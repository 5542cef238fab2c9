import type { ReportTest } from '../report/model.js'

// What every format says of budgets that applied to tests run side by side: raw text, each renderer escapes it.

/**
 * The sentence for budgets that were not held, or undefined when every budget was: tests that ran
 * beside others in their worker (`test.concurrent`) have no figure of their own to hold.
 */
export function describeUnheldBudgets(tests: readonly ReportTest[]): string | undefined {
  const byPattern = new Map<string, number>()
  let count = 0
  for (const test of tests) {
    if (test.verdict !== 'not-attributable')
      continue
    const patterns = new Set(Object.values(test.budget).map(limit => limit.pattern))
    count += patterns.size > 0 ? 1 : 0
    for (const pattern of patterns) byPattern.set(pattern, (byPattern.get(pattern) ?? 0) + 1)
  }
  if (count === 0)
    return undefined
  const patterns = [...byPattern].map(([pattern, tests]) => `${JSON.stringify(pattern)} on ${tests}`).join(', ')
  return `The budgets of ${count} test${count === 1 ? ' were' : 's were'} not held (${patterns}): ${count === 1 ? 'it' : 'they'} ran side by side with other tests (test.concurrent), so no figure is ${count === 1 ? 'its' : 'their'} own. Run ${count === 1 ? 'it' : 'them'} without .concurrent to hold ${count === 1 ? 'it' : 'them'}.`
}
