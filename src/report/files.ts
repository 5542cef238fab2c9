import { readFileSync } from 'node:fs'
import { TEST_BUDGET_METRICS } from '../budgets/types.js'
import { type ComparedMetrics, comparedMetrics, pickFigures } from '../compare/compare.js'
import { REGRESSION_METRICS } from '../compare/rules.js'
import { describeValue, isPlainObject } from '../measure/arguments.js'
import { distinctName, type MemoryReport, REPORT_SCHEMA_VERSION, type ReportEnvironment, type TestState, type Verdict } from './model.js'

/** A file a user handed us is missing, unreadable, or not what it should be; the message is one line naming it. */
export class ReportFileError extends Error {
  override name = 'ReportFileError'
}

const BASELINE_KIND = 'vitest-memory-budget baseline'
export const BASELINE_SCHEMA_VERSION = 1

/** The committed baseline: each test's figures under a readable, stable key. */
export interface Baseline {
  kind: typeof BASELINE_KIND
  schemaVersion: typeof BASELINE_SCHEMA_VERSION
  /** Where the figures were measured; absent in baselines written before it was recorded. */
  environment?: ReportEnvironment
  tests: Record<string, ComparedMetrics>
}

/**
 * `file > suite > test`, prefixed with `[project] ` in multi-project configs, and followed by ` (#2)`,
 * ` (#3)`, … for the second and later tests of one name in a file (see ReportTest.occurrence).
 */
export function testKey(test: { project: string, file: string, name: string, occurrence?: number }): string {
  return `${test.project ? `[${test.project}] ` : ''}${test.file} > ${distinctName(test)}`
}

function readJson(path: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  }
  catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ReportFileError(code === 'ENOENT' ? `${path}: no such file.` : `${path}: cannot read ${what} (${code ?? String(error)}).`)
  }
  try {
    // Some Windows editors and shells begin UTF-8 files with a byte order mark, which JSON.parse refuses.
    return JSON.parse(text.replace(/^\uFEFF/, ''))
  }
  catch (error) {
    throw new ReportFileError(`${path}: not valid JSON, so not a ${what} (${(error as Error).message.split('\n')[0]}).`)
  }
}

/**
 * Checks one part of a file; returns what is wrong with it (`at` names the part), or undefined.
 * `orNull`: null would have done too, which the message then says.
 */
type Check = (value: unknown, at: string, orNull?: boolean) => string | undefined

function problem(value: unknown, at: string, expected: string, orNull = false): string {
  return `${at} is ${value === undefined ? 'missing' : describeValue(value)}, expected ${expected}${orNull ? ' or null' : ''}`
}

function is(test: (value: unknown) => boolean, expected: string): Check {
  return (value, at, orNull) => (test(value) ? undefined : problem(value, at, expected, orNull))
}

const string = is(value => typeof value === 'string', 'a string')
// JSON holds no NaN; a number too large for a double parses as Infinity, which no figure can be.
const number = is(Number.isFinite, 'a number')
const count = is(value => Number.isInteger(value) && (value as number) >= 0, 'a whole number, 0 or more')
const secondOrLater = is(value => Number.isInteger(value) && (value as number) >= 2, 'a whole number, 2 or more')
const integer = is(Number.isInteger, 'a whole number')
const nonNegative = is(value => Number.isFinite(value) && (value as number) >= 0, 'a number, 0 or more')
const boolean = is(value => typeof value === 'boolean', 'true or false')
const oneOf = (values: readonly unknown[]) => is(value => values.includes(value), `one of ${values.map(v => JSON.stringify(v)).join(', ')}`)

/** An array of exactly one value per check, each passing its own. */
function tuple(...items: Check[]): Check {
  return (value, at, orNull) => (Array.isArray(value) && value.length === items.length
    ? items.map((check, i) => check(value[i], `${at}[${i}]`)).find(Boolean)
    : problem(value, at, `an array of ${items.length}`, orNull))
}

function orNull(check: Check): Check {
  return (value, at) => (value === null ? undefined : check(value, at, true))
}

function optional(check: Check): Check {
  return (value, at) => (value === undefined ? undefined : check(value, at))
}

function arrayOf(item: Check): Check {
  return (value, at, orNull) => (Array.isArray(value) ? value.map((entry, i) => item(entry, `${at}[${i}]`)).find(Boolean) : problem(value, at, 'an array', orNull))
}

const field = (at: string, key: string) => (at ? `${at}.${key}` : key)

function object(fields: Record<string, Check>): Check {
  const checks = Object.entries(fields)
  return (value, at, orNull) => {
    if (!isPlainObject(value))
      return problem(value, at, 'an object', orNull)
    // A loop that stops at the first problem: a baseline checks 10,000 of these.
    for (const [key, check] of checks) {
      const wrong = check(value[key], field(at, key))
      if (wrong !== undefined)
        return wrong
    }
    return undefined
  }
}

/** An object whose keys are some of `keys`, each value passing `entry`. */
function someOf(keys: readonly string[], entry: Check): Check {
  return (value, at) => {
    if (!isPlainObject(value))
      return problem(value, at, 'an object')
    const stranger = Object.keys(value).find(key => !keys.includes(key))
    if (stranger !== undefined)
      return `${at} has the key ${JSON.stringify(stranger)}, expected only ${keys.join(', ')}`
    return Object.entries(value).map(([key, v]) => entry(v, field(at, key))).find(Boolean)
  }
}

// Objects, not lists, so that the compiler checks each holds every member of its type and nothing else.
const TEST_STATES = Object.keys({ passed: 0, failed: 0, skipped: 0, pending: 0 } satisfies Record<TestState, 0>)
const VERDICTS = Object.keys({ 'within-budget': 0, 'over-budget': 0, 'no-budget': 0, 'not-attributable': 0, 'crashed': 0, 'not-measured': 0 } satisfies Record<Verdict, 0>)

/**
 * The figures of a test, each passing `check`; `rss` and `native` are null where they were not
 * measured (a browser test; no interposer), and `native` is absent from files older than it.
 */
const figures = (check: Check) => Object.fromEntries(REGRESSION_METRICS.map(metric => [metric, metric === 'native' ? optional(orNull(check)) : metric === 'rss' ? orNull(check) : check]))
const BASELINE_FIGURES = object(figures(number))

const ENVIRONMENT = object({ node: string, v8: optional(string), vitest: string, platform: string, arch: string, workerFlags: arrayOf(string), deterministic: boolean, coverage: optional(string) })
const ENVIRONMENT_FIELDS = ['node', 'v8', 'vitest', 'platform', 'arch', 'coverage']

/** A report as its JSON Schema (schema/memory-report.v1.schema.json) describes it, so the CLI never trips over a field. */
const REPORT = object({
  createdAt: string,
  environment: ENVIRONMENT,
  summary: object({
    tests: count,
    measured: count,
    overBudget: count,
    notAttributable: count,
    notMeasured: count,
    crashed: count,
    unmatchedPatterns: arrayOf(string),
    unmeasuredProjects: optional(arrayOf(object({ project: string, reason: string }))),
    compared: boolean,
    regressed: count,
    improved: count,
    environmentDrift: optional(object({
      differences: arrayOf(object({ field: oneOf([...ENVIRONMENT_FIELDS, 'workerFlags']), base: string, head: string })),
      incomparable: boolean,
      regressionsCount: boolean,
    })),
  }),
  tests: arrayOf(object({
    id: string,
    project: string,
    browser: optional(orNull(string)),
    file: string,
    name: string,
    occurrence: optional(secondOrLater),
    line: orNull(count),
    state: oneOf(TEST_STATES),
    verdict: oneOf(VERDICTS),
    metrics: orNull(object({ ...figures(number), gcCount: count, gcTime: nonNegative, duration: nonNegative })),
    rssMethod: oneOf(['kernel', 'sampler', 'none', null]),
    dom: optional(object({ nodes: integer, documents: integer, listeners: integer })),
    domGc: optional(oneOf(['full', 'none'])),
    baselineGc: oneOf(['full', 'young', 'none', null]),
    retainedGc: oneOf(['full', 'young', 'none', null]),
    retry: count,
    repeat: count,
    budget: someOf(TEST_BUDGET_METRICS, object({ bytes: number, pattern: string })),
    violations: arrayOf(object({ metric: oneOf(TEST_BUDGET_METRICS), value: number, limit: number, pattern: string })),
    // Rounded to whole bytes (comparedMetrics()).
    base: orNull(object(figures(integer))),
    // A ratio is null where it was Infinity: JSON has no Infinity.
    changes: arrayOf(object({ metric: oneOf(REGRESSION_METRICS), base: number, head: number, delta: number, ratio: orNull(number), direction: oneOf(['regressed', 'improved']) })),
    timeline: optional(orNull(arrayOf(tuple(count, number, number)))),
    crash: optional(object({ heap: number, external: number, rss: number, heapLimit: number, v8HeapLimit: number })),
    heapProfiles: optional(arrayOf(string)),
  })),
})

function checkVersion(path: string, what: string, version: unknown, known: number): void {
  if (typeof version !== 'number')
    throw new ReportFileError(`${path}: not a ${what} (${version === undefined ? 'it has no schemaVersion' : `its schemaVersion is ${describeValue(version)}, expected ${known}`}).`)
  if (version !== known)
    throw new ReportFileError(`${path}: ${what} schema version ${version} is not the one this version of vitest-memory-budget reads (${known}); ${version > known ? 'upgrade the package' : 'regenerate the file'}.`)
}

/** Reads the baseline; `undefined` when there is none yet (a first run). */
export function readBaseline(path: string): Baseline | undefined {
  let data: unknown
  try {
    data = readJson(path, 'baseline')
  }
  catch (error) {
    if (error instanceof ReportFileError && error.message.endsWith('no such file.'))
      return undefined
    throw error
  }
  if (!isPlainObject(data) || data.kind !== BASELINE_KIND)
    throw new ReportFileError(`${path}: not a vitest-memory-budget baseline (expected "kind": "${BASELINE_KIND}"); it is left as it is, run with -u to replace it.`)
  checkVersion(path, 'baseline', data.schemaVersion, BASELINE_SCHEMA_VERSION)
  if (!isPlainObject(data.tests))
    throw new ReportFileError(`${path}: baseline has no "tests" object; run with -u to rewrite it.`)
  const environment = optional(ENVIRONMENT)(data.environment, 'environment')
  if (environment)
    throw new ReportFileError(`${path}: baseline ${environment}; run with -u to rewrite it.`)
  for (const [key, metrics] of Object.entries(data.tests)) {
    // Every key testKey() writes has one; without it, a key such as "__proto__" would be lost on the next write.
    if (!key.includes(' > '))
      throw new ReportFileError(`${path}: ${JSON.stringify(key)} is not a test key ("file > test name"); run with -u to rewrite it.`)
    if (BASELINE_FIGURES(metrics, '') !== undefined)
      throw new ReportFileError(`${path}: the entry for ${JSON.stringify(key)} is not a set of figures (${REGRESSION_METRICS.join(', ')}); run with -u to rewrite it.`)
  }
  return data as unknown as Baseline
}

/** Sorted keys and fixed metric order: a changed number is a one-line diff. `environment`: where the figures were measured. */
export function serializeBaseline(tests: ReadonlyMap<string, ComparedMetrics>, environment?: ReportEnvironment): string {
  const sorted: Record<string, ComparedMetrics> = {}
  for (const key of [...tests.keys()].sort())
    sorted[key] = pickFigures(tests.get(key)!, figure => figure)
  const baseline: Baseline = { kind: BASELINE_KIND, schemaVersion: BASELINE_SCHEMA_VERSION, ...(environment ? { environment } : {}), tests: sorted }
  return `${JSON.stringify(baseline, null, 2)}\n`
}

/**
 * Tests by key are Maps while the baseline is worked on: an object that gains 10,000 keys one by one
 * is several times slower to build.
 */
export interface BaselineUpdate {
  /** Figures of the tests measured in this run. */
  measured: ReadonlyMap<string, ComparedMetrics>
  /** Keys of every test that exists in this run, measured or not (skipped, filtered out). */
  present: ReadonlySet<string>
  /** Whether every test file of every project ran without a name filter: only then are entries pruned. */
  fullRun: boolean
  /** `all`: write every measured test; `new`: only add tests the baseline does not have. */
  mode: 'all' | 'new'
}

/** The next baseline: measured tests updated, the rest kept, tests that no longer exist dropped on a full run. */
export function updateBaseline(previous: Baseline | undefined, update: BaselineUpdate): Map<string, ComparedMetrics> {
  const tests = new Map<string, ComparedMetrics>()
  for (const [key, metrics] of Object.entries(previous?.tests ?? {})) {
    if (!update.fullRun || update.present.has(key))
      tests.set(key, metrics)
  }
  for (const [key, metrics] of update.measured) {
    if (update.mode === 'all' || !tests.has(key))
      tests.set(key, metrics)
  }
  return tests
}

/** Reads a JSON report written by the plugin (`outputFile`), for the CLI. */
export function readReport(path: string): MemoryReport {
  const data = readJson(path, 'vitest-memory-budget report')
  if (!isPlainObject(data))
    throw new ReportFileError(`${path}: not a vitest-memory-budget report (expected an object).`)
  if (data.kind === BASELINE_KIND)
    throw new ReportFileError(`${path}: a memory baseline, not a JSON report: give the report that memoryBudget({ outputFile }) writes (e.g. reports/memory.json).`)
  checkVersion(path, 'vitest-memory-budget report', data.schemaVersion, REPORT_SCHEMA_VERSION)
  if (!Array.isArray(data.tests) || !isPlainObject(data.summary) || !isPlainObject(data.environment))
    throw new ReportFileError(`${path}: not a vitest-memory-budget report (it lacks tests, summary or environment).`)
  const wrong = REPORT(data, '')
  if (wrong)
    throw new ReportFileError(`${path}: not a valid vitest-memory-budget report: ${wrong}.`)
  return data as unknown as MemoryReport
}

/** The compared figures of every measured test of a report, by key. */
export function reportFigures(report: MemoryReport): Record<string, ComparedMetrics> {
  const figures: Record<string, ComparedMetrics> = {}
  for (const test of report.tests) {
    if (test.metrics)
      figures[testKey(test)] = comparedMetrics(test.metrics)
  }
  return figures
}
