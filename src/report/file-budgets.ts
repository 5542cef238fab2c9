import picomatch from 'picomatch'
import { describeValue, isPlainObject } from '../measure/arguments.js'
import { parseSize, type SizeInput } from '../measure/size.js'

/** Figures of a test file's whole life in its worker that `fileBudgets` can hold (see src/report/file-model.ts). */
export type FileBudgetMetric = 'total' | 'heap' | 'external' | 'rss' | 'retained' | 'grew'

export const FILE_BUDGET_METRICS: readonly FileBudgetMetric[] = ['total', 'heap', 'external', 'rss', 'retained', 'grew']

/** `{ '<file glob>': '300MB' | { total, heap, external, rss, retained, grew } }`; later keys override earlier ones, metric by metric. */
export type FileBudgetsInput = Record<string, SizeInput | Partial<Record<FileBudgetMetric, SizeInput>>>

export interface FileBudgetRule {
  pattern: string
  /** The file glob as a regular expression, for paths relative to the root. */
  file: RegExp
  limits: Partial<Record<FileBudgetMetric, number>>
}

/**
 * Validates and compiles the `fileBudgets` option; every error names the key and what is accepted.
 * A key has no test name part: a file's figures are the file's, not a test's.
 * @throws TypeError
 */
export function compileFileBudgets(input: unknown): FileBudgetRule[] {
  if (input === undefined)
    return []
  if (!isPlainObject(input))
    throw new TypeError(`memoryBudget() option "fileBudgets" must be an object like { 'src/**': '300MB' }, got ${describeValue(input)}.`)
  return Object.entries(input).map(([pattern, budget]) => {
    if (pattern.trim() === '' || pattern.includes(' > '))
      throw new TypeError(`Invalid fileBudgets key ${JSON.stringify(pattern)}: expected a file glob (e.g. 'src/**/*.test.ts'), without a test name (a file's figures are the whole file's).`)
    const what = (metric: string) => `fileBudgets "${metric}" for ${JSON.stringify(pattern)}`
    let limits: FileBudgetRule['limits']
    if (typeof budget === 'string' || typeof budget === 'number') {
      limits = { total: parseSize(budget, what('total')).bytes }
    }
    else if (isPlainObject(budget)) {
      limits = {}
      for (const [metric, size] of Object.entries(budget)) {
        if (!FILE_BUDGET_METRICS.includes(metric as FileBudgetMetric))
          throw new TypeError(`Unknown metric ${JSON.stringify(metric)} in fileBudgets for ${JSON.stringify(pattern)}. Accepted: ${FILE_BUDGET_METRICS.join(', ')}.`)
        limits[metric as FileBudgetMetric] = parseSize(size as SizeInput, what(metric)).bytes
      }
      if (Object.keys(limits).length === 0)
        throw new TypeError(`fileBudgets for ${JSON.stringify(pattern)} sets no metric. Accepted: ${FILE_BUDGET_METRICS.join(', ')}.`)
    }
    else {
      throw new TypeError(`Invalid fileBudgets value for ${JSON.stringify(pattern)}: expected a size like '300MB' or an object with any of ${FILE_BUDGET_METRICS.join(', ')}, got ${describeValue(budget)}.`)
    }
    return { pattern, file: picomatch.makeRe(pattern.trim(), { dot: true }), limits }
  })
}

/** The limits that apply to a file (relative path), each with the key that set it: later keys win. */
export function fileBudgetOf(rules: readonly FileBudgetRule[], file: string): Partial<Record<FileBudgetMetric, { bytes: number, pattern: string }>> {
  const budget: Partial<Record<FileBudgetMetric, { bytes: number, pattern: string }>> = {}
  for (const rule of rules) {
    if (!rule.file.test(file))
      continue
    for (const [metric, bytes] of Object.entries(rule.limits) as Array<[FileBudgetMetric, number]>)
      budget[metric] = { bytes, pattern: rule.pattern }
  }
  return budget
}
