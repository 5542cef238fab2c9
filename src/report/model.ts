import type { Limit, TestBudgetMetric } from '../budgets/types.js'
import { type ComparedMetrics, comparedMetrics, compareMetrics, type MetricChange } from '../compare/compare.js'
import { type EnvironmentDrift, environmentDrift, type ReportEnvironment } from '../compare/environment.js'
import type { RegressionRules } from '../compare/rules.js'
import type { MemoryMetrics } from '../measure/measure-memory.js'
import type { DomCounts } from '../measure/probe.js'
import type { RssMethod } from '../measure/rss.js'
import type { BoundaryGc, CompactTimeline, TestMemoryRecord } from '../worker/test-recorder.js'
import type { MemoryAtStart } from '../worker/trail.js'
import type { ReportFile } from './file-model.js'
import { sortByLocation } from './order.js'
import type { RunnerFit } from './runner-fit.js'
import type { WorkerDeath } from './worker-deaths.js'

export type { ReportEnvironment }

/** Bumped on any change a reader could trip over; readers reject versions they do not know. */
export const REPORT_SCHEMA_VERSION = 1

export type TestState = 'passed' | 'failed' | 'skipped' | 'pending'

/**
 * - `within-budget`: measured, and under every limit that applies;
 * - `over-budget`: measured, and over at least one limit (the test failed for it);
 * - `no-budget`: measured, no pattern gives it a budget;
 * - `not-attributable`: ran concurrently with other tests in its worker, so no numbers are its own;
 * - `crashed`: its worker died while it ran (out of memory, a native crash, `process.exit`);
 * - `not-measured`: no numbers arrived (the test ran without the setup file, or in a worker that died earlier).
 */
export type Verdict = 'within-budget' | 'over-budget' | 'no-budget' | 'not-attributable' | 'crashed' | 'not-measured'

export interface ReportViolation {
  metric: TestBudgetMetric
  value: number
  limit: number
  pattern: string
}

export interface ReportTest {
  /** Vitest's test id: stable across runs of the same file and test. */
  id: string
  project: string
  /**
   * The browser a browser-mode test ran in (`chromium`), null for a Node test. Absent in reports
   * written before it was recorded.
   */
  browser?: string | null
  /** Path relative to the root, with forward slashes. */
  file: string
  /** `suite > test`. */
  name: string
  /**
   * The test's place (2, 3, …) among the tests of its project and file with this name, in the order
   * Vitest collected them (`test.each` with a fixed title): what keys it apart in a baseline. Absent
   * for the first, and for a name no other test has.
   */
  occurrence?: number
  line: number | null
  state: TestState
  verdict: Verdict
  /** Bytes, milliseconds and counts as measured; null when not attributable or not measured. */
  metrics: MemoryMetrics | null
  /** `none` in a browser page: then `rss` is NaN (null in JSON). */
  rssMethod: RssMethod | null
  /**
   * Browser tests only: DOM nodes, documents and event listeners. `domGc: 'full'` (a test with a DOM
   * budget): what it kept, alive after a full GC at its end minus at its start; `'none'`: what it
   * added, counted without a GC (garbage included, never below 0).
   */
  dom?: DomCounts
  domGc?: 'full' | 'none'
  /** `none`: in a page whose Chromium has no `gc()` exposed. */
  baselineGc: BoundaryGc | null
  /** `full`: `retained` is exact; `young`: it may include a little garbage promoted during the test. */
  retainedGc: BoundaryGc | null
  /** Which attempt the numbers belong to (0-based): the last one, whose result is reported. */
  retry: number
  repeat: number
  /**
   * Limit per metric, in bytes, and the pattern that set it. A `not-attributable` test has its
   * budget here too: a budget that was not held.
   */
  budget: Partial<Record<TestBudgetMetric, { bytes: number, pattern: string }>>
  violations: ReportViolation[]
  /** The figures this test is compared with (baseline file or base report); null when it has none. */
  base: ComparedMetrics | null
  /** Metrics that moved past the regression rule: up is a regression, down an improvement. */
  changes: MetricChange[]
  /**
   * Heap and external across the test's GCs, `[gc, heap, external]` (see CompactTimeline); null when
   * not measured. Absent in reports written before it was added.
   */
  timeline?: CompactTimeline | null
  /** Only for a `crashed` test: its worker's memory when the test started, the last seen. */
  crash?: MemoryAtStart
  /** Heap profiles written for the test (`profiles` option), relative to the root; absent when none. */
  heapProfiles?: string[]
}

export interface ReportSummary {
  tests: number
  measured: number
  overBudget: number
  notAttributable: number
  notMeasured: number
  /** Tests whose worker died while they ran. */
  crashed: number
  /** Budget patterns of the config that applied to no test of this run (typos, or filtered out). */
  unmatchedPatterns: string[]
  /**
   * Projects of this run whose tests could not be measured, and why: their tests are `not-measured`
   * and no budget is held for them. Absent in reports written before it was added.
   */
  unmeasuredProjects?: UnmeasuredProject[]
  /** Whether tests were compared with a baseline or a base report. */
  compared: boolean
  /** Tests with at least one regressed metric, and with only improved ones. */
  regressed: number
  improved: number
  /** How the compared figures' environment differs from this run's; absent when it does not, or is unknown. */
  environmentDrift?: EnvironmentDrift
}

export interface UnmeasuredProject {
  project: string
  reason: string
}

export interface MemoryReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  createdAt: string
  environment: ReportEnvironment
  summary: ReportSummary
  tests: ReportTest[]
  /**
   * Each test file's whole life in its worker (Node workers under the plugin), in project and path
   * order. Absent in reports written before it was added.
   */
  files?: ReportFile[]
  /** Workers that died during a file (a signal such as an OOM killer's SIGKILL, or an exit code); absent when none did. */
  workerDeaths?: WorkerDeath[]
  /** Whether the run fits its runner's memory, from the files' peaks; absent without file figures. */
  runner?: RunnerFit
  /** `fileBudgets` keys that matched no file of the run nor any under the root; absent when every key matched. */
  unmatchedFileBudgets?: string[]
}

/** What the reporter collects from Vitest for one test. */
export interface CollectedTest {
  id: string
  project: string
  /** The browser of a browser-mode project; absent or null for a Node test. */
  browser?: string | null
  file: string
  name: string
  /** See ReportTest.occurrence. */
  occurrence?: number
  line: number | null
  state: TestState
  memory: TestMemoryRecord | undefined
  /** Set when the test's worker died while it ran: its memory when it started. */
  crash?: MemoryAtStart
  heapProfiles?: string[]
}

/** The test's name, with ` (#2)`, ` (#3)`, … after the second and later tests of one name in a file. */
export function distinctName(test: { name: string, occurrence?: number }): string {
  return test.occurrence ? `${test.name} (#${test.occurrence})` : test.name
}

function verdictOf(test: CollectedTest, budget: ReportTest['budget']): Verdict {
  const { memory } = test
  if (!memory)
    return test.crash ? 'crashed' : 'not-measured'
  if (!memory.attributable)
    return 'not-attributable'
  return memory.violations.length > 0 ? 'over-budget' : Object.keys(budget).length > 0 ? 'within-budget' : 'no-budget'
}

/**
 * One literal with every field, in the order the JSON report shows them: built with a spread and
 * more keys after it, V8 gave each of 10,000 tests a hidden class of its own, which made every
 * later pass over them (summary, comparison, rendering) several times slower.
 */
function toReportTest(test: CollectedTest): ReportTest {
  const { memory } = test
  const measured = memory?.attributable ? memory : undefined
  const budget: ReportTest['budget'] = {}
  for (const [metric, limit] of Object.entries(memory?.budget.limits ?? {}) as Array<[TestBudgetMetric, Limit]>)
    budget[metric] = { bytes: limit.bytes, pattern: limit.pattern }
  const reportTest: ReportTest = {
    id: test.id,
    project: test.project,
    browser: test.browser ?? null,
    file: test.file,
    name: test.name,
    line: test.line ?? null,
    state: test.state,
    verdict: verdictOf(test, budget),
    metrics: measured
      ? { total: measured.total, heap: measured.heap, external: measured.external, rss: measured.rss, native: measured.native, retained: measured.retained, allocated: measured.allocated, gcCount: measured.gcCount, gcTime: measured.gcTime, duration: measured.duration }
      : null,
    rssMethod: measured ? measured.rssMethod : null,
    baselineGc: measured ? measured.baselineGc : null,
    retainedGc: measured ? measured.retainedGc : null,
    retry: memory?.retry ?? 0,
    repeat: memory?.repeat ?? 0,
    budget,
    violations: measured ? measured.violations.map(v => ({ metric: v.metric, value: v.value, limit: v.limit.bytes, pattern: v.limit.pattern })) : [],
    base: null,
    changes: [],
    timeline: measured ? measured.timeline : null,
  }
  if (test.occurrence)
    reportTest.occurrence = test.occurrence
  if (measured?.dom) {
    reportTest.dom = measured.dom
    reportTest.domGc = measured.domGc ?? 'full'
  }
  if (test.crash && !measured)
    reportTest.crash = test.crash
  if (test.heapProfiles)
    reportTest.heapProfiles = test.heapProfiles
  return reportTest
}

/** Counts of a report's tests; `unmatchedPatterns` comes from the caller, which knows the config. */
export function summarize(tests: readonly ReportTest[], unmatchedPatterns: string[], compared: boolean, unmeasuredProjects: UnmeasuredProject[] = []): ReportSummary {
  const count = (verdict: Verdict) => tests.filter(t => t.verdict === verdict).length
  const regressed = tests.filter(t => t.changes.some(c => c.direction === 'regressed')).length
  return {
    tests: tests.length,
    measured: tests.filter(t => t.metrics !== null).length,
    overBudget: count('over-budget'),
    notAttributable: count('not-attributable'),
    notMeasured: count('not-measured'),
    crashed: count('crashed'),
    unmatchedPatterns,
    unmeasuredProjects,
    compared,
    regressed,
    improved: tests.filter(t => t.changes.length > 0).length - regressed,
  }
}

/** Builds the report of a run: tests in a stable order (project, file, line, name), and a summary. */
export function buildReport(tests: readonly CollectedTest[], environment: ReportEnvironment, budgetPatterns: readonly string[], createdAt: Date, unmeasuredProjects: UnmeasuredProject[] = []): MemoryReport {
  const reportTests = sortByLocation(tests.map(toReportTest))
  // A pattern that applied only to tests run side by side matched them: their budgets are reported as not held.
  const matched = new Set(tests.flatMap(t => t.memory?.budget.patterns ?? []))
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: createdAt.toISOString(),
    environment,
    summary: summarize(reportTests, budgetPatterns.filter(pattern => !matched.has(pattern)), false, unmeasuredProjects),
    tests: reportTests,
  }
}

/**
 * The report with each measured test compared to its figures in `base` (keyed by `keyOf`), which
 * were measured in `baseEnvironment` (undefined when the baseline does not say).
 */
export function compareReport(report: MemoryReport, base: Readonly<Record<string, ComparedMetrics>>, keyOf: (test: ReportTest) => string, rules: RegressionRules, baseEnvironment?: ReportEnvironment): MemoryReport {
  const tests = report.tests.map((test) => {
    const figures = base[keyOf(test)]
    if (!figures || !test.metrics)
      return { ...test, base: figures ?? null, changes: [] }
    return { ...test, base: figures, changes: compareMetrics(figures, comparedMetrics(test.metrics), rules) }
  })
  const summary = summarize(tests, report.summary.unmatchedPatterns, true, report.summary.unmeasuredProjects)
  const drift = environmentDrift(baseEnvironment, report.environment, rules.acrossEnvironments)
  return { ...report, tests, summary: drift ? { ...summary, environmentDrift: drift } : summary }
}
