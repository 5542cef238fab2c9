import { compileBudgets } from '../budgets/compile.js'
import { compileFileBudgets, type FileBudgetRule, type FileBudgetsInput } from '../report/file-budgets.js'
import type { BudgetRule, BudgetsInput } from '../budgets/types.js'
import { type RegressionOptions, type RegressionRules, resolveRegressionRules } from '../compare/rules.js'
import { checkOptions, describeValue } from '../measure/arguments.js'
import { parseSize, type SizeInput } from '../measure/size.js'

/** Options of `memoryBudget()`. */
export interface MemoryBudgetOptions {
  /**
   * Run test workers without V8 background threads (`--single-threaded`) and with a young generation
   * of fixed size (16 MiB semi-spaces), so the same code measures the same peaks in every run
   * (default `true`). Without it, parallel GC threads, background compilation and V8's adaptive heap
   * sizing make peaks vary several-fold between runs.
   */
  deterministic?: boolean
  /**
   * Budgets per test: `{ '<file glob>[ > <test name pattern>]': '200MB' | { total, heap, external, rss, native, retained } }`.
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
  /**
   * Write the report as one self-contained HTML file to this file (relative to the root): summary,
   * charts, every test in a table that sorts and filters, each test's memory across its GCs.
   */
  html?: string
  /**
   * Cap on each test worker's V8 heap (old generation, as `--max-old-space-size`), e.g. `'1GB'`:
   * a runaway test then dies at the cap, and is reported as crashed, instead of swapping the machine.
   * Buffer and ArrayBuffer contents are outside it. Default: V8's own limit.
   */
  heapLimit?: SizeInput
  /**
   * A directory (relative to the root) for V8 sampling heap profiles (`.heapprofile`, which Chrome
   * DevTools and speedscope open): one per failing `toStayUnder` and per test over its config budget.
   * Tests with a config budget are then sampled while they run, which costs time (see the README).
   */
  profiles?: string
  /**
   * Show each test's figures and any budget failure on the test itself, as Vitest test annotations:
   * `'auto'` (default) when Vitest runs with `--ui` or the `html` reporter, `true` always, `false` never.
   */
  annotations?: boolean | 'auto'
  /**
   * Count each test's C heap (`native`: malloc and its family, what SQLite, sharp or any addon asks
   * for) with a library preloaded into the forked workers (default `true`; Linux x64 with glibc only,
   * elsewhere `native` is unavailable). `false` starts workers without it.
   */
  native?: boolean
  /**
   * Budgets per test file, over the file's whole life in its worker (imports, environment, hooks and
   * tests): `{ '<file glob>': '300MB' | { total, heap, external, rss, retained, grew } }`. A file over
   * its budget fails the run. Later keys override earlier ones, metric by metric.
   */
  fileBudgets?: FileBudgetsInput
  /**
   * The machine the suite must fit: `memory` what it gives the run (default: the cgroup's limit inside
   * a container, else physical memory), for a CI runner smaller than this machine; `failAbove` the
   * share of it (`'80%'` or `0.8`) above which the run fails when its heaviest files run at once.
   */
  runner?: { memory?: SizeInput, failAbove?: number | string }
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
  html: string | undefined
  /** Bytes, or undefined for V8's own limit. */
  heapLimit: number | undefined
  profiles: string | undefined
  annotations: boolean | 'auto'
  native: boolean
  fileBudgets: FileBudgetRule[]
  runner: { memory: number | undefined, failAbove: number | undefined }
}

const DEFAULT_BASELINE = 'memory-baseline.json'

const DEFAULTS = { deterministic: true, top: 10, silent: false, gcBeforeEachTest: 'auto', native: true } as const

const KNOWN_OPTIONS = ['deterministic', 'budgets', 'top', 'silent', 'outputFile', 'gcBeforeEachTest', 'baseline', 'regression', 'markdown', 'html', 'heapLimit', 'profiles', 'annotations', 'native', 'fileBudgets', 'runner']

function invalid(option: string, value: unknown, expected: string): TypeError {
  return new TypeError(`memoryBudget() option "${option}" must be ${expected}, got ${describeValue(value)}.`)
}

/** A path the file system can take: Node refuses a NUL byte, which would only fail at the end of the run. */
function isFilePath(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !value.includes('\0')
}

/** Validates the options; every error names the option and what it accepts. */
export function resolveOptions(options: MemoryBudgetOptions | undefined): ResolvedMemoryBudgetOptions {
  if (options === undefined)
    return { ...DEFAULTS, budgets: [], outputFile: undefined, baseline: DEFAULT_BASELINE, regression: resolveRegressionRules(undefined), markdown: undefined, html: undefined, heapLimit: undefined, profiles: undefined, annotations: 'auto', fileBudgets: [], runner: { memory: undefined, failAbove: undefined } }
  checkOptions('memoryBudget()', options, KNOWN_OPTIONS)
  const { deterministic = DEFAULTS.deterministic, top = DEFAULTS.top, silent = DEFAULTS.silent, outputFile, gcBeforeEachTest = DEFAULTS.gcBeforeEachTest } = options
  if (typeof deterministic !== 'boolean')
    throw invalid('deterministic', deterministic, 'true or false')
  if (!Number.isInteger(top) || top < 0)
    throw invalid('top', top, 'a whole number, 0 or more')
  if (typeof silent !== 'boolean')
    throw invalid('silent', silent, 'true or false')
  if (outputFile !== undefined && !isFilePath(outputFile))
    throw invalid('outputFile', outputFile, 'a file path')
  if (gcBeforeEachTest !== 'auto' && gcBeforeEachTest !== 'always')
    throw invalid('gcBeforeEachTest', gcBeforeEachTest, `'auto' or 'always'`)
  const { baseline = DEFAULT_BASELINE, markdown, html, profiles, annotations = 'auto', native = DEFAULTS.native } = options
  if (baseline !== false && !isFilePath(baseline))
    throw invalid('baseline', baseline, 'a file path or false')
  if (markdown !== undefined && !isFilePath(markdown))
    throw invalid('markdown', markdown, 'a file path')
  if (html !== undefined && !isFilePath(html))
    throw invalid('html', html, 'a file path')
  if (profiles !== undefined && !isFilePath(profiles))
    throw invalid('profiles', profiles, 'a directory path')
  if (annotations !== true && annotations !== false && annotations !== 'auto')
    throw invalid('annotations', annotations, `true, false or 'auto'`)
  if (typeof native !== 'boolean')
    throw invalid('native', native, 'true or false')
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
    html,
    heapLimit: resolveHeapLimit(options.heapLimit),
    profiles,
    annotations,
    native,
    fileBudgets: compileFileBudgets(options.fileBudgets),
    runner: resolveRunner(options.runner),
  }
}

/** `runner: { memory, failAbove }`: a size, and a share as a fraction of 1 or a percentage. */
function resolveRunner(input: unknown): ResolvedMemoryBudgetOptions['runner'] {
  if (input === undefined)
    return { memory: undefined, failAbove: undefined }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('runner', input, `an object like { memory: '7GB', failAbove: '80%' }`)
  checkOptions('memoryBudget({ runner })', input, ['memory', 'failAbove'])
  const { memory, failAbove } = input as { memory?: SizeInput, failAbove?: unknown }
  return {
    memory: memory === undefined ? undefined : parseSize(memory, 'runner.memory').bytes,
    failAbove: failAbove === undefined ? undefined : parseShare(failAbove),
  }
}

function parseShare(input: unknown): number {
  const share = typeof input === 'number' ? input : typeof input === 'string' && /^\s*\d+(?:\.\d+)?\s*%\s*$/.test(input) ? Number.parseFloat(input) / 100 : Number.NaN
  if (!(share > 0 && share <= 1))
    throw invalid('runner.failAbove', input, `a share of the runner's memory above 0 and at most 1, or a percentage up to 100% (e.g. 0.8 or '80%')`)
  return share
}

/** Below this V8 cannot even load Vitest: a worker would die before its first test. */
const SMALLEST_HEAP_LIMIT = 32 * 2 ** 20

function resolveHeapLimit(input: SizeInput | undefined): number | undefined {
  if (input === undefined)
    return undefined
  const { bytes } = parseSize(input, 'heapLimit')
  if (bytes < SMALLEST_HEAP_LIMIT)
    throw invalid('heapLimit', input, 'a size of 32 MiB or more (a worker needs that much to load Vitest)')
  return bytes
}

/**
 * V8 sizes the young generation by how much survived earlier collections, so the same test peaks
 * higher or lower depending on what ran before it in the worker (measured: 6% apart between fresh
 * workers). A fixed size takes that history out; 16 MiB is V8's own maximum on 64-bit Node 20.
 */
const FIXED_SEMI_SPACE_MB = 16

/**
 * Node flags for measured workers: `gc()` for clean baselines; for repeatable peaks, no V8 background
 * threads and a young generation of fixed size. `--single-threaded`, not only `--single-threaded-gc`:
 * code compiled on a background thread lands on the heap at a moment that depends on thread timing
 * (measured: 20k awaited promises peaked 28% apart between fresh processes with `-gc`, byte-identical
 * with `--single-threaded` and the preload below, on Node 20 and 24).
 */
export function workerExecArgv(options: Pick<ResolvedMemoryBudgetOptions, 'deterministic' | 'heapLimit'>): string[] {
  const cap = options.heapLimit === undefined ? [] : [`--max-old-space-size=${Math.floor(options.heapLimit / 2 ** 20)}`]
  if (!options.deterministic)
    return ['--expose-gc', ...cap]
  return ['--expose-gc', '--single-threaded', `--min-semi-space-size=${FIXED_SEMI_SPACE_MB}`, `--max-semi-space-size=${FIXED_SEMI_SPACE_MB}`, ...cap]
}
