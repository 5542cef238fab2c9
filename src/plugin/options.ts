import { compileBudgets } from '../budgets/compile.js'
import type { BudgetRule, BudgetsInput } from '../budgets/types.js'
import { type RegressionOptions, type RegressionRules, resolveRegressionRules } from '../compare/rules.js'

/** Options of `memoryBudget()`. */
export interface MemoryBudgetOptions {
  /**
   * Run test workers with one GC thread and a young generation of fixed size (16 MiB semi-spaces),
   * so the same code measures the same peaks in every run (default `true`). Without it, parallel GC
   * threads and V8's adaptive heap sizing make peaks vary several-fold between runs.
   */
  deterministic?: boolean
  /**
   * Budgets per test: `{ '<file glob>[ > <test name pattern>]': '200MB' | { total, heap, external, rss, retained } }`.
   * A test over its budget fails. Later keys override earlier ones, metric by metric.
   */
  budgets?: BudgetsInput
  /** Rows in the end-of-run table of heaviest tests (default 10; 0 hides the table). */
  top?: number
  /** Print nothing at the end of the run (the JSON report is still written). Default false. */
  silent?: boolean
  /** Write the JSON report of every test's memory to this file (relative to the root). */
  outputFile?: string
  /**
   * When to run a full GC before a test: `auto` (default) only when the heap grew by 4 MiB since the
   * last one, a young-generation GC otherwise; `always` before every test (slower, for suites whose
   * tests drop large data that earlier tests built).
   */
  gcBeforeEachTest?: 'auto' | 'always'
  /**
   * The baseline file every run is compared with, relative to the root (default
   * `memory-baseline.json`); `vitest -u` writes it. `false` turns comparison off.
   */
  baseline?: string | false
  /** When a change from the baseline counts: `{ threshold: '10%', minDelta: '1MB', metrics, failOnRegression }`. */
  regression?: RegressionOptions
  /** Write the report as Markdown for a pull-request comment to this file (relative to the root). */
  markdown?: string
}

export interface ResolvedMemoryBudgetOptions {
  deterministic: boolean
  budgets: BudgetRule[]
  top: number
  silent: boolean
  outputFile: string | undefined
  gcBeforeEachTest: 'auto' | 'always'
  baseline: string | undefined
  regression: RegressionRules
  markdown: string | undefined
}

const DEFAULT_BASELINE = 'memory-baseline.json'

const DEFAULTS = { deterministic: true, top: 10, silent: false, gcBeforeEachTest: 'auto' } as const

const KNOWN_OPTIONS = ['deterministic', 'budgets', 'top', 'silent', 'outputFile', 'gcBeforeEachTest', 'baseline', 'regression', 'markdown']

function invalid(option: string, value: unknown, expected: string): TypeError {
  return new TypeError(`memoryBudget() option "${option}" must be ${expected}, got ${JSON.stringify(value) ?? String(value)}.`)
}

/** Validates the options; every error names the option and what it accepts. */
export function resolveOptions(options: MemoryBudgetOptions | undefined): ResolvedMemoryBudgetOptions {
  if (options === undefined)
    return { ...DEFAULTS, budgets: [], outputFile: undefined, baseline: DEFAULT_BASELINE, regression: resolveRegressionRules(undefined), markdown: undefined }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`memoryBudget() options must be an object, got ${String(options)}.`)
  const unknown = Object.keys(options).filter(key => !KNOWN_OPTIONS.includes(key))
  if (unknown.length > 0)
    throw new TypeError(`Unknown memoryBudget() option ${unknown.map(k => `"${k}"`).join(', ')}. Accepted: ${KNOWN_OPTIONS.join(', ')}.`)
  const { deterministic = DEFAULTS.deterministic, top = DEFAULTS.top, silent = DEFAULTS.silent, outputFile, gcBeforeEachTest = DEFAULTS.gcBeforeEachTest } = options
  if (typeof deterministic !== 'boolean')
    throw invalid('deterministic', deterministic, 'true or false')
  if (!Number.isInteger(top) || top < 0)
    throw invalid('top', top, 'a whole number, 0 or more')
  if (typeof silent !== 'boolean')
    throw invalid('silent', silent, 'true or false')
  if (outputFile !== undefined && (typeof outputFile !== 'string' || outputFile.trim() === ''))
    throw invalid('outputFile', outputFile, 'a file path')
  if (gcBeforeEachTest !== 'auto' && gcBeforeEachTest !== 'always')
    throw invalid('gcBeforeEachTest', gcBeforeEachTest, `'auto' or 'always'`)
  const { baseline = DEFAULT_BASELINE, markdown } = options
  if (baseline !== false && (typeof baseline !== 'string' || baseline.trim() === ''))
    throw invalid('baseline', baseline, 'a file path or false')
  if (markdown !== undefined && (typeof markdown !== 'string' || markdown.trim() === ''))
    throw invalid('markdown', markdown, 'a file path')
  return {
    deterministic,
    budgets: compileBudgets(options.budgets),
    top,
    silent,
    outputFile,
    gcBeforeEachTest,
    baseline: baseline === false ? undefined : baseline,
    regression: resolveRegressionRules(options.regression),
    markdown,
  }
}

/**
 * V8 sizes the young generation by how much survived earlier collections, so the same test peaks
 * higher or lower depending on what ran before it in the worker (measured: 6% apart between fresh
 * workers). A fixed size takes that history out; 16 MiB is V8's own maximum on 64-bit Node 20.
 */
const FIXED_SEMI_SPACE_MB = 16

/**
 * Node flags for measured workers: `gc()` for clean baselines; for repeatable peaks, one GC thread
 * (parallel GC threads finish in a different order every run) and a young generation of fixed size.
 */
export function workerExecArgv(options: Pick<ResolvedMemoryBudgetOptions, 'deterministic'>): string[] {
  if (!options.deterministic)
    return ['--expose-gc']
  return ['--expose-gc', '--single-threaded-gc', `--min-semi-space-size=${FIXED_SEMI_SPACE_MB}`, `--max-semi-space-size=${FIXED_SEMI_SPACE_MB}`]
}
