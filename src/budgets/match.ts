import type { BudgetRule, ResolvedBudget, TestBudgetMetric } from './types.js'

export type BudgetMatcher = (file: string, fullName: string) => ResolvedBudget

/** Returns a function giving each test (file relative to the root, full name) its budget. */
export function createBudgetMatcher(rules: readonly BudgetRule[]): BudgetMatcher {
  const compiled = rules.map(rule => ({
    rule,
    file: new RegExp(rule.file),
    // `s`: a test name may hold newlines, and * must match across them.
    name: rule.name === undefined ? undefined : new RegExp(rule.name, 's'),
  }))
  return (file, fullName) => {
    const resolved: ResolvedBudget = { limits: {}, patterns: [] }
    for (const { rule, file: fileRe, name } of compiled) {
      if (!fileRe.test(file) || (name && !name.test(fullName)))
        continue
      resolved.patterns.push(rule.pattern)
      for (const [metric, limit] of Object.entries(rule.limits))
        resolved.limits[metric as TestBudgetMetric] = { ...limit, pattern: rule.pattern }
    }
    return resolved
  }
}
