import { TEST_BUDGET_METRICS, type TestBudgetMetric } from '../budgets/types.js'
import type { RegressionMetric } from '../compare/rules.js'
import type { SizeMetric } from '../measure/metric-names.js'
import type { AllocationTree } from '../report/allocation-tree.js'
import { distinctName, type MemoryReport, type ReportEnvironment, type ReportSummary, type TestState, type Verdict } from '../report/model.js'
import type { ProfileTree } from '../report/read-allocation-trees.js'
import type { CompactTimeline } from '../worker/test-recorder.js'
import { describeDeathFully, describeFit } from './files.js'
import { renderPage } from './html-page.js'
import { describeUncompared, shownMetrics } from './measured-metrics.js'

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
  /** The figures of {@link ReportPage.metrics} in its order, then gcCount and duration; null when not measured. */
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
  /**
   * Per link in `h`, its allocation tree (see {@link pageIcicle}), why it cannot be drawn (text),
   * or null when the page holds only the heaviest tests' trees; absent without trees to show.
   */
  a?: Array<number[] | string | null>
}

export interface HtmlReportOptions {
  /**
   * The report's root as seen from the folder the page is written to (`../` for
   * `reports/memory.html`), for links to files the report names relative to the root (heap profiles).
   */
  rootFromPage?: string
  /** Allocation trees of heap profiles, by the path the report names them with (see `readProfileTrees`). */
  profileTrees?: ReadonlyMap<string, ProfileTree>
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

/**
 * An allocation tree as `[unit, frame, depth, self, total, frame, depth, ...]` in preorder, `frame`
 * an index into {@link ReportPage.frames} (fifty profiles share most of their frames), bytes in
 * `unit`: five significant digits of the tree's total, finer than the 0.5% the tree keeps.
 */
export function pageIcicle(tree: AllocationTree, frameIndex: (frame: [string, string, number]) => number): number[] {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, tree.total))) - 4)
  const flat = [unit]
  for (const node of tree.nodes) flat.push(frameIndex([node.functionName, node.file, node.line]), node.depth, Math.round(node.self / unit), Math.round(node.total / unit))
  return flat
}

export interface ReportPage {
  kind: 'report'
  createdAt: string
  environment: ReportEnvironment
  summary: ReportSummary
  /** The figures the page shows, in order: `native` only when some test measured it (see shownMetrics). */
  metrics: readonly SizeMetric[]
  /** Sentences on figures a comparison skipped, measured on one side only (see describeUncompared). */
  notes: string[]
  files: string[]
  /** `[function, file, line]` of every frame in the tests' allocation trees. */
  frames: Array<[string, string, number]>
  tests: PageTest[]
  /**
   * Each test file's whole life in its worker: `[file (index into files), project, worker, order,
   * total, heap, external, rss, retained, grew, metrics over budget]`; absent without file figures.
   */
  fileLives?: Array<[number, string, number, number, number, number, number, number, number, number, string[]]>
  /** The runner-fit sentence and each killed worker's, as the terminal says them. */
  runner?: string
  deaths?: string[]
}

/** One index per distinct value, the values in a list: the page's tables of files and frames. */
function interner<T>(keyOf: (value: T) => string) {
  const values: T[] = []
  const index = new Map<string, number>()
  return {
    values,
    indexOf(value: T): number {
      const key = keyOf(value)
      let i = index.get(key)
      if (i === undefined)
        index.set(key, i = values.push(value) - 1)
      return i
    },
  }
}

/** The report as the page's script reads it. */
export function reportPage(report: MemoryReport, options: HtmlReportOptions = {}): ReportPage {
  const files = interner<string>(file => file)
  const frames = interner<[string, string, number]>(frame => frame.join('\0'))
  const trees = options.profileTrees
  const metrics = shownMetrics(report.tests)
  const icicle = (path: string): number[] | string | null => {
    const tree = trees!.get(path)
    if (tree === undefined)
      return null
    return 'unreadable' in tree ? `profile not readable: ${tree.unreadable}` : pageIcicle(tree, frame => frames.indexOf(frame))
  }
  const tests = report.tests.map((test): PageTest => {
    const f = files.indexOf(test.file)
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
      n: distinctName(test),
      v: test.verdict,
      s: test.state,
      m: m && [...metrics.map(metric => m[metric]), m.gcCount, m.duration],
      b: budget,
      o: test.violations.map(v => v.metric),
      base: test.base ? test.base.total : null,
      c: test.changes.map(c => [c.metric, c.delta, Number.isFinite(c.ratio) ? c.ratio : null]),
      t: test.timeline ? pageTimeline(test.timeline) : null,
      ...(test.heapProfiles && { h: test.heapProfiles.map(path => linkTo(path, options.rootFromPage ?? '')) }),
      ...(test.heapProfiles && trees && { a: test.heapProfiles.map(icicle) }),
    }
  })
  const page: ReportPage = { kind: 'report', createdAt: report.createdAt, environment: report.environment, summary: report.summary, metrics, notes: describeUncompared(report.tests), files: files.values, frames: frames.values, tests }
  if (report.files?.length)
    page.fileLives = report.files.map(f => [files.indexOf(f.file), f.project, f.worker, f.order, f.metrics.total, f.metrics.heap, f.metrics.external, f.metrics.rss, f.metrics.retained, f.metrics.grew, f.violations.map(v => v.metric)])
  if (report.runner)
    page.runner = describeFit(report.runner)
  if (report.workerDeaths)
    page.deaths = report.workerDeaths.map(describeDeathFully)
  return page
}

/**
 * The report as one self-contained HTML file: the summary, charts of the heaviest tests, files and
 * changes, a table of every test that sorts and filters, and a selected test's memory across its GCs.
 */
export function renderHtmlReport(report: MemoryReport, options: HtmlReportOptions = {}): string {
  return renderPage({ title: `Memory report: ${report.summary.measured} tests measured, ${report.summary.overBudget} over budget`, data: reportPage(report, options) })
}
