import { TEST_BUDGET_METRICS, type TestBudgetMetric } from '../budgets/types.js'
import type { RegressionMetric } from '../compare/rules.js'
import type { MemoryReport, ReportEnvironment, ReportSummary, TestState, Verdict } from '../report/model.js'
import type { CompactTimeline } from '../worker/test-recorder.js'
import { renderPage } from './html-page.js'

/**
 * One test as the page gets it: the report's test without what the page does not show, the file as
 * an index into `files`, and one-letter keys. Ten thousand tests repeat each key ten thousand times,
 * and the file must stay under 10 MB.
 */
export interface PageTest {
  /** Index into {@link ReportPage.files}. */
  f: number
  p: string
  n: string
  v: Verdict
  s: TestState
  /** total, heap, external, rss, retained, allocated, gcCount, duration; null when not measured. */
  m: number[] | null
  /** Budget per metric, in bytes. */
  b: Partial<Record<TestBudgetMetric, number>>
  /** The metrics over budget. */
  o: TestBudgetMetric[]
  /** The baseline's peak (total), or null without one. */
  base: number | null
  /** [metric, delta, ratio (null for a new figure)] per change past the regression rule. */
  c: Array<[RegressionMetric, number, number | null]>
  /** The timeline flattened and rounded (see {@link pageTimeline}). */
  t: number[] | null
  /** Links to the test's heap profiles, relative to the page; absent when it has none. */
  h?: string[]
}

export interface HtmlReportOptions {
  /**
   * The report's root as seen from the folder the page is written to (`../` for
   * `reports/memory.html`), for links to files the report names relative to the root (heap profiles).
   */
  rootFromPage?: string
}

/** A root-relative path as a link from the page: never a scheme (`javascript:`), whatever a report says. */
function linkTo(path: string, rootFromPage: string): string {
  const base = rootFromPage === '' || rootFromPage.endsWith('/') ? rootFromPage : `${rootFromPage}/`
  const link = `${base}${path}`.split('/').map(encodeURIComponent).join('/')
  return link.startsWith('.') ? link : `./${link}`
}

/**
 * A timeline as `[unit, gc, heap, external, gc, heap, external, ...]`, heap and external in `unit`
 * bytes: three significant digits of the test's largest figure, finer than any chart draws. Of
 * 10,000 tests with 64 points each, full bytes made a 14 MB file; this makes it under 10 MB.
 */
export function pageTimeline(timeline: CompactTimeline): number[] {
  const largest = Math.max(1, ...timeline.map(([, heap, external]) => Math.max(Math.abs(heap), Math.abs(external))))
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(largest)) - 2)
  const flat = [unit]
  // `|| 0`: a small negative figure rounds to -0, which JSON writes as 0.
  for (const [gc, heap, external] of timeline) flat.push(gc, Math.round(heap / unit) || 0, Math.round(external / unit) || 0)
  return flat
}

export interface ReportPage {
  kind: 'report'
  createdAt: string
  environment: ReportEnvironment
  summary: ReportSummary
  files: string[]
  tests: PageTest[]
}

/** The report as the page's script reads it. */
export function reportPage(report: MemoryReport, options: HtmlReportOptions = {}): ReportPage {
  const files: string[] = []
  const fileIndex = new Map<string, number>()
  const tests = report.tests.map((test): PageTest => {
    let f = fileIndex.get(test.file)
    if (f === undefined) {
      fileIndex.set(test.file, f = files.length)
      files.push(test.file)
    }
    const m = test.metrics
    const budget: PageTest['b'] = {}
    for (const metric of TEST_BUDGET_METRICS) {
      const limit = test.budget[metric]
      if (limit)
        budget[metric] = limit.bytes
    }
    return {
      f,
      p: test.project,
      n: test.name,
      v: test.verdict,
      s: test.state,
      m: m && [m.total, m.heap, m.external, m.rss, m.retained, m.allocated, m.gcCount, m.duration],
      b: budget,
      o: test.violations.map(v => v.metric),
      base: test.base ? test.base.total : null,
      c: test.changes.map(c => [c.metric, c.delta, Number.isFinite(c.ratio) ? c.ratio : null]),
      t: test.timeline ? pageTimeline(test.timeline) : null,
      ...(test.heapProfiles && { h: test.heapProfiles.map(path => linkTo(path, options.rootFromPage ?? '')) }),
    }
  })
  return { kind: 'report', createdAt: report.createdAt, environment: report.environment, summary: report.summary, files, tests }
}

/**
 * The report as one self-contained HTML file: the summary, charts of the heaviest tests, files and
 * changes, a table of every test that sorts and filters, and a selected test's memory across its GCs.
 */
export function renderHtmlReport(report: MemoryReport, options: HtmlReportOptions = {}): string {
  return renderPage({ title: `Memory report: ${report.summary.measured} tests measured, ${report.summary.overBudget} over budget`, data: reportPage(report, options) })
}
