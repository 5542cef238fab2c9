import picomatch from 'picomatch'
import { describeValue, isPlainObject } from '../measure/arguments.js'
import { parseSize, type SizeInput } from '../measure/size.js'
import { type BudgetRule, isDomMetric, TEST_BUDGET_METRICS, type TestBudgetMetric } from './types.js'

const NAME_SEPARATOR = ' > '

/**
 * Validates and compiles the `budgets` option. Every error names the key and what is accepted.
 * @throws TypeError
 */
export function compileBudgets(budgets: unknown): BudgetRule[] {
  if (budgets === undefined)
    return []
  if (!isPlainObject(budgets))
    throw new TypeError(`memoryBudget() option "budgets" must be an object like { '**': '200MB' }, got ${describeValue(budgets)}.`)
  return Object.entries(budgets).map(([pattern, budget]) => {
    const separator = pattern.indexOf(NAME_SEPARATOR)
    const file = (separator === -1 ? pattern : pattern.slice(0, separator)).trim()
    const name = separator === -1 ? undefined : pattern.slice(separator + NAME_SEPARATOR.length).trim()
    if (file === '' || name === '')
      throw new TypeError(`Invalid budget pattern ${JSON.stringify(pattern)}: expected a file glob (e.g. 'src/**'), optionally followed by ' > ' and a test name pattern (e.g. '** > parses *').`)
    return {
      pattern,
      file: picomatch.makeRe(file, { dot: true }).source,
      name: name === undefined ? undefined : namePatternToRegExpSource(name),
      limits: compileLimits(pattern, budget),
    }
  })
}

function compileLimits(pattern: string, budget: unknown): BudgetRule['limits'] {
  const what = (metric: string) => `budget "${metric}" for ${JSON.stringify(pattern)}`
  if (typeof budget === 'string' || typeof budget === 'number')
    return { total: parseSize(budget, what('total')) }
  if (!isPlainObject(budget))
    throw new TypeError(`Invalid budget for ${JSON.stringify(pattern)}: expected a size like '200MB' or an object with any of ${TEST_BUDGET_METRICS.join(', ')}, got ${describeValue(budget)}.`)
  const limits: BudgetRule['limits'] = {}
  for (const [metric, size] of Object.entries(budget)) {
    if (!TEST_BUDGET_METRICS.includes(metric as TestBudgetMetric))
      throw new TypeError(`Unknown metric ${JSON.stringify(metric)} in the budget for ${JSON.stringify(pattern)}. Accepted: ${TEST_BUDGET_METRICS.join(', ')}.`)
    limits[metric as TestBudgetMetric] = isDomMetric(metric as TestBudgetMetric) ? parseCount(size, what(metric)) : parseSize(size as SizeInput, what(metric))
  }
  if (Object.keys(limits).length === 0)
    throw new TypeError(`The budget for ${JSON.stringify(pattern)} sets no metric. Accepted: ${TEST_BUDGET_METRICS.join(', ')}.`)
  return limits
}

/** A DOM-count limit: a whole number, 0 or more (a size such as '5kB' would mean nothing here). */
function parseCount(value: unknown, what: string): { bytes: number, family: 'si' } {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new TypeError(`Invalid ${what}: expected a whole number of objects, 0 or more (e.g. 5000), got ${describeValue(value)}.`)
  return { bytes: value, family: 'si' }
}

/** `*` matches any run of characters (including ' > ' between suite names), `?` one character. */
function namePatternToRegExpSource(name: string): string {
  const source = name.split('').map(char => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')
  return `^${source}$`
}
