import picomatch from 'picomatch'
import { parseSize, type SizeInput, type UnitFamily } from '../measure/size.js'

/** Metrics a config budget can hold: the matcher's peaks, plus what a test retained. */
export type TestBudgetMetric = 'total' | 'heap' | 'external' | 'rss' | 'retained'

export const TEST_BUDGET_METRICS: readonly TestBudgetMetric[] = ['total', 'heap', 'external', 'rss', 'retained']

/** A budget as written in the config: a size (for `total`), or a size per metric. */
export type BudgetInput = SizeInput | Partial<Record<TestBudgetMetric, SizeInput>>

/** `{ '<file glob>[ > <test name pattern>]': budget }`; later keys override earlier ones, metric by metric. */
export type BudgetsInput = Record<string, BudgetInput>

export interface Limit {
  bytes: number
  family: UnitFamily
  /** The key that set this limit. */
  pattern: string
}

/** A budget rule ready to match, serializable so it can travel to the test workers. */
export interface BudgetRule {
  pattern: string
  file: string
  name: string | undefined
  limits: Partial<Record<TestBudgetMetric, Omit<Limit, 'pattern'>>>
}

/** The budget that applies to one test, with the keys it came from. */
export interface ResolvedBudget {
  limits: Partial<Record<TestBudgetMetric, Limit>>
  patterns: string[]
}

const NAME_SEPARATOR = ' > '

/**
 * Validates and compiles the `budgets` option. Every error names the key and what is accepted.
 * @throws TypeError
 */
export function compileBudgets(budgets: unknown): BudgetRule[] {
  if (budgets === undefined)
    return []
  if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets))
    throw new TypeError(`memoryBudget() option "budgets" must be an object like { '**': '200MB' }, got ${Array.isArray(budgets) ? 'an array' : String(budgets)}.`)
  return Object.entries(budgets).map(([pattern, budget]) => {
    const separator = pattern.indexOf(NAME_SEPARATOR)
    const file = (separator === -1 ? pattern : pattern.slice(0, separator)).trim()
    const name = separator === -1 ? undefined : pattern.slice(separator + NAME_SEPARATOR.length).trim()
    if (file === '' || name === '')
      throw new TypeError(`Invalid budget pattern ${JSON.stringify(pattern)}: expected a file glob (e.g. 'src/**'), optionally followed by ' > ' and a test name pattern (e.g. '** > parses *').`)
    return { pattern, file, name, limits: compileLimits(pattern, budget) }
  })
}

function compileLimits(pattern: string, budget: unknown): BudgetRule['limits'] {
  const what = (metric: string) => `budget "${metric}" for ${JSON.stringify(pattern)}`
  if (typeof budget === 'string' || typeof budget === 'number')
    return { total: parseSize(budget, what('total')) }
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget))
    throw new TypeError(`Invalid budget for ${JSON.stringify(pattern)}: expected a size like '200MB' or an object with any of ${TEST_BUDGET_METRICS.join(', ')}.`)
  const limits: BudgetRule['limits'] = {}
  for (const [metric, size] of Object.entries(budget)) {
    if (!TEST_BUDGET_METRICS.includes(metric as TestBudgetMetric))
      throw new TypeError(`Unknown metric "${metric}" in the budget for ${JSON.stringify(pattern)}. Accepted: ${TEST_BUDGET_METRICS.join(', ')}.`)
    limits[metric as TestBudgetMetric] = parseSize(size as SizeInput, what(metric))
  }
  if (Object.keys(limits).length === 0)
    throw new TypeError(`The budget for ${JSON.stringify(pattern)} sets no metric. Accepted: ${TEST_BUDGET_METRICS.join(', ')}.`)
  return limits
}

/** `*` matches any run of characters (including ' > ' between suite names), `?` one character. */
function namePatternToRegExp(name: string): RegExp {
  const source = name.split('').map(char => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')
  return new RegExp(`^${source}$`, 's')
}

export type BudgetMatcher = (file: string, fullName: string) => ResolvedBudget

/** Returns a function giving each test (file relative to the root, full name) its budget. */
export function createBudgetMatcher(rules: readonly BudgetRule[]): BudgetMatcher {
  const compiled = rules.map((rule) => {
    const name = rule.name === undefined ? undefined : namePatternToRegExp(rule.name)
    return { rule, matchesFile: picomatch(rule.file, { dot: true }), matchesName: (fullName: string) => name === undefined || name.test(fullName) }
  })
  return (file, fullName) => {
    const resolved: ResolvedBudget = { limits: {}, patterns: [] }
    for (const { rule, matchesFile, matchesName } of compiled) {
      if (!matchesFile(file) || !matchesName(fullName))
        continue
      resolved.patterns.push(rule.pattern)
      for (const [metric, limit] of Object.entries(rule.limits))
        resolved.limits[metric as TestBudgetMetric] = { ...limit, pattern: rule.pattern }
    }
    return resolved
  }
}
