import { budgetFigure } from '../budgets/figure.js'
import { createBudgetMatcher } from '../budgets/match.js'
import { type BudgetRule, DOM_BUDGET_METRICS, type Limit, type ResolvedBudget, TEST_BUDGET_METRICS, type TestBudgetMetric } from '../budgets/types.js'
import type { TimelinePoint } from '../measure/gc-trace.js'
import { type MemoryMetrics, toMetrics } from '../measure/metrics.js'
import { andThen, type ClosedWindow, type DomCounts, type MaybePromise } from '../measure/probe.js'
import type { RssMethod } from '../measure/rss.js'

// What every test's record is and how a test's lifecycle makes one, in a Node worker and in a
// Chromium page alike: only starting, stopping and reading a measurement come from the runtime's
// meter (src/worker/node-meter.ts, src/worker/browser-meter.ts). This module imports no Node
// module, so the page loads it too.

export { FULL_GC_THRESHOLD } from '../measure/gc-policy.js'

export interface BudgetViolation {
  metric: TestBudgetMetric
  value: number
  limit: Limit
}

/** Which collection ran at a test boundary: `none` where none was due (or, in a page, none could run). */
export type BoundaryGc = 'full' | 'young' | 'none'

/** One test's memory, as attached to `task.meta.memory` in the worker or page and read by reporters. */
export interface TestMemory extends MemoryMetrics {
  attributable: true
  /** `none` in a browser page, which cannot see its process's memory: then `rss` is NaN. */
  rssMethod: RssMethod
  /**
   * The collection run before the test: `full` for the first test of a worker or page and whenever
   * the heap had grown past the threshold since the last full one, `young` otherwise; `none` in a
   * page whose Chromium has no `gc()` exposed (a provider shared with another browser).
   */
  baselineGc: BoundaryGc
  /**
   * The collection run before `retained` was read: `full` (exact, to within 256 KiB) where the heap
   * had grown by the threshold or more and the garbage older than the test that a full GC also frees
   * is known to be under 256 KiB; `young` otherwise, an upper bound (it may include garbage the test
   * promoted to the old generation); `none` when the heap had grown by less than 256 KiB since the
   * last collection (then `retained` is that growth, garbage included: an upper bound). See
   * `readRetained` in src/measure/gc-policy.ts.
   */
  retainedGc: BoundaryGc
  /**
   * Browser tests: DOM nodes, documents and event listeners. With `domGc: 'full'` (a test held to a
   * DOM budget), what it kept: alive after a full GC at its end minus at its start. With `'none'`,
   * what it added, counted without a GC (garbage included; never below 0).
   */
  dom?: DomCounts
  /** Browser tests: whether `dom` was read after full GCs (`full`) or as counted (`none`). */
  domGc?: 'full' | 'none'
  /** The attempt these numbers belong to: the last one run, whose result the test reports. */
  retry: number
  repeat: number
  budget: ResolvedBudget
  violations: BudgetViolation[]
  /** Heap and external memory across the test's GCs, at most 64 points, the peak always kept (see {@link CompactTimeline}). */
  timeline: CompactTimeline
}

/**
 * `[gc, heap, external]` per point, bytes above the test's baseline (each, once a GC inside the test took it lower, above that). `gc` is the GC's ordinal: 0 the
 * start, `k` the heap just before and just after the k-th GC (two points), `gcCount + 1` the end.
 * An ordinal, not a time: V8's GCProfiler records no time per GC, and a timer would cost every test.
 */
export type CompactTimeline = Array<[gc: number, heap: number, external: number]>

/** The window's timeline as tuples: a third of the size in the JSON report. */
export function compactTuples(points: readonly TimelinePoint[]): CompactTimeline {
  return points.map(p => [p.gc, p.heap, p.external])
}

/** A test that ran alongside others in the same worker (`test.concurrent`): no numbers are its own. */
export interface UnattributedTestMemory {
  attributable: false
  reason: 'concurrent'
  retry: number
  repeat: number
  /** The budget the test has, which could not be held: the report says so. */
  budget: ResolvedBudget
}

export type TestMemoryRecord = TestMemory | UnattributedTestMemory

/** The part of Vitest's test task the recorder reads, kept structural so this layer stays free of Vitest. */
export interface RecordedTask {
  name: string
  file?: { filepath: string }
  suite?: { name: string, suite?: unknown, filepath?: string }
  result?: { retryCount?: number, repeatCount?: number }
}

/** One test's measurement, as a meter reads it. */
export interface TestMeasurement {
  closed: ClosedWindow
  /** Heap + external after the test's end (and the collection `retainedGc` names) above the baseline. */
  retained: number
  baselineGc: BoundaryGc
  retainedGc: BoundaryGc
  /** Where the window counted the DOM (a page): whether the counts were read after full GCs. */
  domGc?: 'full' | 'none'
}

/**
 * What differs between runtimes: how a test's measurement starts (a collection as the GC policy
 * says, then the window), stops and is read. Synchronous where the runtime can be (Node), so nothing
 * of the recorder's own runs between a baseline and the test.
 */
export interface TestMeter<Started> {
  /**
   * `exactRetained`: the test is held to a `retained` budget, so its verdict needs the exact figure,
   * which only full GCs at both of its ends give (a Node worker's meter runs them; a page's ignores it).
   * `exactDom`: the test is held to a DOM budget, whose counts mean something only after full GCs
   * at both of its ends (a page's meter runs them for such tests only; a Node worker has no DOM).
   */
  start: (exactRetained: boolean, exactDom: boolean) => MaybePromise<Started>
  stop: (started: Started) => MaybePromise<TestMeasurement>
  /** Closes a measurement whose numbers are dropped (a test that ran beside another). */
  discard: (started: Started) => MaybePromise<void>
  /**
   * The next test file starts in the same worker (`isolate: false`): what the last file's tests kept
   * may be garbage now, and a collection that freed it during or after a later test would take it off
   * that test's figures (measured: a file keeping 5 MB made the next file's test that kept 5 MB read
   * `retained` 0 B).
   */
  fileEnded?: () => void
}

export interface RecorderOptions {
  root: string
  budgets: readonly BudgetRule[]
  /** A test file's path relative to `root`, with forward slashes. */
  relativeFile: (root: string, filepath: string) => string
}

/** A test file's path relative to the root, with forward slashes, without Node's `path` (a page has none). */
export function relativePath(root: string, filepath: string): string {
  const base = root.split('\\').join('/').replace(/\/$/, '')
  const file = filepath.split('\\').join('/')
  return file.startsWith(`${base}/`) ? file.slice(base.length + 1) : file
}

export function fullNameOf(task: RecordedTask): string {
  const names = [task.name]
  let suite = task.suite
  // The file itself is the outermost suite; its name is the path, not part of the test's name.
  while (suite && suite.filepath === undefined) {
    names.unshift(suite.name)
    suite = suite.suite as RecordedTask['suite']
  }
  return names.join(' > ')
}

/** The limits a test broke. A limit on a figure the test does not have (DOM counts in Node) does not apply. */
export function checkBudget(figures: MemoryMetrics & { dom?: DomCounts }, budget: ResolvedBudget): BudgetViolation[] {
  // Most tests have no budget: nothing to walk through.
  if (budget.patterns.length === 0)
    return []
  return TEST_BUDGET_METRICS.flatMap((metric) => {
    const limit = budget.limits[metric]
    const value = limit && budgetFigure(figures, metric)
    return limit && value !== undefined && value > limit.bytes ? [{ metric, value, limit }] : []
  })
}

/** Measures every test of a worker or page with `meter`, and holds each to its budget. */
export function createTestRecorder<Started>(options: RecorderOptions, meter: TestMeter<Started>) {
  const matchBudget = createBudgetMatcher(options.budgets)
  const running = new Map<RecordedTask, MaybePromise<Started> | undefined>()
  const overlapped = new Set<RecordedTask>()

  const attempt = (task: RecordedTask) => ({ retry: task.result?.retryCount ?? 0, repeat: task.result?.repeatCount ?? 0 })
  // Once per file, not per test: path.relative resolves both of its paths on every call.
  const files = new Map<string, string>()
  const fileOf = (filepath: string) => {
    let file = files.get(filepath)
    if (file === undefined)
      files.set(filepath, file = options.relativeFile(options.root, filepath))
    return file
  }
  // Matched once per test, not at each of its three uses (its start, its record, \`hasBudget\`): the
  // full name is rebuilt from the suite chain at every match. A retry or repeat runs the same task.
  const budgets = new WeakMap<RecordedTask, ResolvedBudget>()
  const budgetOf = (task: RecordedTask) => {
    let budget = budgets.get(task)
    if (budget === undefined)
      budgets.set(task, budget = matchBudget(task.file ? fileOf(task.file.filepath) : '', fullNameOf(task)))
    return budget
  }
  /** The file whose tests are being recorded. */
  let currentFile: string | undefined

  function record(task: RecordedTask, measured: TestMeasurement): TestMemory {
    const { closed } = measured
    const budget = budgetOf(task)
    // One object, filled in place (made after every reading: this only packs what the window read).
    const memory = toMetrics(closed, measured.retained) as TestMemory
    memory.attributable = true
    memory.rssMethod = closed.rssMethod
    memory.baselineGc = measured.baselineGc
    memory.retainedGc = measured.retainedGc
    if (closed.dom) {
      memory.dom = closed.dom
      memory.domGc = measured.domGc ?? 'full'
    }
    memory.retry = task.result?.retryCount ?? 0
    memory.repeat = task.result?.repeatCount ?? 0
    memory.budget = budget
    memory.violations = checkBudget(memory, budget)
    memory.timeline = compactTuples(closed.timeline)
    return memory
  }

  return {
    /** Whether a config budget applies to the test: only such a test can end over budget. */
    hasBudget(task: RecordedTask): boolean {
      return Object.keys(budgetOf(task).limits).length > 0
    },

    start(task: RecordedTask): MaybePromise<void> {
      if (running.size > 0) {
        // Another test is still running here: neither can have numbers of its own.
        for (const other of running.keys()) overlapped.add(other)
        overlapped.add(task)
        running.set(task, undefined)
        return
      }
      const filepath = task.file?.filepath
      if (filepath !== currentFile) {
        if (currentFile !== undefined)
          meter.fileEnded?.()
        currentFile = filepath
      }
      const { limits } = budgetOf(task)
      const started = meter.start(limits.retained !== undefined, DOM_BUDGET_METRICS.some(metric => limits[metric] !== undefined))
      running.set(task, started)
      return andThen(started, () => {})
    },

    finish(task: RecordedTask): MaybePromise<TestMemoryRecord | undefined> {
      if (!running.has(task))
        return undefined
      const started = running.get(task)
      running.delete(task)
      if (overlapped.delete(task) || started === undefined) {
        const unattributed: UnattributedTestMemory = { attributable: false, reason: 'concurrent', ...attempt(task), budget: budgetOf(task) }
        return started === undefined ? unattributed : andThen(andThen(started, meter.discard), () => unattributed)
      }
      return andThen(andThen(started, meter.stop), measured => record(task, measured))
    },
  }
}
