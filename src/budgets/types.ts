import { SIZE_METRICS, type SizeMetric } from '../measure/metric-names.js'
import type { SizeInput, UnitFamily } from '../measure/size.js'

/** Metrics a config budget holds in bytes: the matcher's peaks, plus what a test retained (not `allocated`, a sum over calls). */
export type SizeBudgetMetric = Exclude<SizeMetric, 'allocated'>

/** Metrics a config budget holds as counts: the DOM objects a browser test kept (alive after a full GC at its end minus at its start). */
export type DomBudgetMetric = 'domNodes' | 'domListeners' | 'domDocuments'

export type TestBudgetMetric = SizeBudgetMetric | DomBudgetMetric

export const SIZE_BUDGET_METRICS: readonly SizeBudgetMetric[] = SIZE_METRICS.filter((metric): metric is SizeBudgetMetric => metric !== 'allocated')

export const DOM_BUDGET_METRICS: readonly DomBudgetMetric[] = ['domNodes', 'domListeners', 'domDocuments']

export const TEST_BUDGET_METRICS: readonly TestBudgetMetric[] = [...SIZE_BUDGET_METRICS, ...DOM_BUDGET_METRICS]

export function isDomMetric(metric: TestBudgetMetric): metric is DomBudgetMetric {
  return (DOM_BUDGET_METRICS as readonly string[]).includes(metric)
}

/** A budget as written in the config: a size (for `total`), or a size per metric and a count per DOM metric. */
export type BudgetInput = SizeInput | Partial<Record<SizeBudgetMetric, SizeInput> & Record<DomBudgetMetric, number>>

/** `{ '<file glob>[ > <test name pattern>]': budget }`; later keys override earlier ones, metric by metric. */
export type BudgetsInput = Record<string, BudgetInput>

export interface Limit {
  /** The limit: bytes, or a count for a DOM metric. */
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
