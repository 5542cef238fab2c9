import type { SizeInput, UnitFamily } from '../measure/size.js'

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

/**
 * A budget rule ready to match. Plain data, patterns already turned into regular expressions, so it
 * travels to the test workers and matching there needs no glob library.
 */
export interface BudgetRule {
  pattern: string
  /** Source of the regular expression for the file path, relative to the root. */
  file: string
  /** Source of the regular expression for the full test name, if the key has a name part. */
  name: string | undefined
  limits: Partial<Record<TestBudgetMetric, Omit<Limit, 'pattern'>>>
}

/** The budget that applies to one test, with the keys it came from. */
export interface ResolvedBudget {
  limits: Partial<Record<TestBudgetMetric, Limit>>
  patterns: string[]
}
