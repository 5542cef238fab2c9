import { readFileSync } from 'node:fs'
import { type ComparedMetrics, comparedMetrics } from '../compare/compare.js'
import { REGRESSION_METRICS } from '../compare/rules.js'
import { type MemoryReport, REPORT_SCHEMA_VERSION } from './model.js'

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
  tests: Record<string, ComparedMetrics>
}

/** `file > suite > test`, prefixed with `[project] ` in multi-project configs. */
export function testKey(test: { project: string, file: string, name: string }): string {
  return `${test.project ? `[${test.project}] ` : ''}${test.file} > ${test.name}`
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
    return JSON.parse(text)
  }
  catch (error) {
    throw new ReportFileError(`${path}: not valid JSON, so not a ${what} (${(error as Error).message.split('\n')[0]}).`)
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkVersion(path: string, what: string, version: unknown, known: number): void {
  if (typeof version !== 'number')
    throw new ReportFileError(`${path}: not a ${what} (it has no schemaVersion).`)
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
  if (!isObject(data) || data.kind !== BASELINE_KIND)
    throw new ReportFileError(`${path}: not a vitest-memory-budget baseline (expected "kind": "${BASELINE_KIND}"); it is left as it is, run with -u to replace it.`)
  checkVersion(path, 'baseline', data.schemaVersion, BASELINE_SCHEMA_VERSION)
  if (!isObject(data.tests))
    throw new ReportFileError(`${path}: baseline has no "tests" object; run with -u to rewrite it.`)
  for (const [key, metrics] of Object.entries(data.tests)) {
    if (!isObject(metrics) || !REGRESSION_METRICS.every(metric => typeof metrics[metric] === 'number'))
      throw new ReportFileError(`${path}: the entry for ${JSON.stringify(key)} is not a set of figures (${REGRESSION_METRICS.join(', ')}); run with -u to rewrite it.`)
  }
  return data as unknown as Baseline
}

/** Sorted keys and fixed metric order: a changed number is a one-line diff. */
export function serializeBaseline(tests: Record<string, ComparedMetrics>): string {
  const sorted: Record<string, ComparedMetrics> = {}
  for (const key of Object.keys(tests).sort())
    sorted[key] = Object.fromEntries(REGRESSION_METRICS.map(metric => [metric, tests[key]![metric]])) as ComparedMetrics
  const baseline: Baseline = { kind: BASELINE_KIND, schemaVersion: BASELINE_SCHEMA_VERSION, tests: sorted }
  return `${JSON.stringify(baseline, null, 2)}\n`
}

export interface BaselineUpdate {
  /** Figures of the tests measured in this run. */
  measured: Record<string, ComparedMetrics>
  /** Keys of every test that exists in this run, measured or not (skipped, filtered out). */
  present: ReadonlySet<string>
  /** Whether every test file of every project ran without a name filter: only then are entries pruned. */
  fullRun: boolean
  /** `all`: write every measured test; `new`: only add tests the baseline does not have. */
  mode: 'all' | 'new'
}

/** The next baseline: measured tests updated, the rest kept, tests that no longer exist dropped on a full run. */
export function updateBaseline(previous: Baseline | undefined, update: BaselineUpdate): Record<string, ComparedMetrics> {
  const tests: Record<string, ComparedMetrics> = {}
  for (const [key, metrics] of Object.entries(previous?.tests ?? {})) {
    if (!update.fullRun || update.present.has(key))
      tests[key] = metrics
  }
  for (const [key, metrics] of Object.entries(update.measured)) {
    if (update.mode === 'all' || !(key in tests))
      tests[key] = metrics
  }
  return tests
}

/** Reads a JSON report written by the plugin (`outputFile`), for the CLI. */
export function readReport(path: string): MemoryReport {
  const data = readJson(path, 'vitest-memory-budget report')
  if (!isObject(data))
    throw new ReportFileError(`${path}: not a vitest-memory-budget report (expected an object).`)
  checkVersion(path, 'vitest-memory-budget report', data.schemaVersion, REPORT_SCHEMA_VERSION)
  if (!Array.isArray(data.tests) || !isObject(data.summary) || !isObject(data.environment))
    throw new ReportFileError(`${path}: not a vitest-memory-budget report (it lacks tests, summary or environment).`)
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
