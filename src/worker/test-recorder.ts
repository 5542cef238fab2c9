import { relative, sep } from 'node:path'
import { createBudgetMatcher } from '../budgets/match.js'
import { type BudgetRule, type Limit, type ResolvedBudget, TEST_BUDGET_METRICS, type TestBudgetMetric } from '../budgets/types.js'
import { getGc } from '../measure/gc.js'
import type { TimelinePoint } from '../measure/gc-trace.js'
import { type MemoryMetrics, toMetrics } from '../measure/metrics.js'
import type { RssMethod } from '../measure/rss.js'
import { heapNow, type MemoryWindow, openMemoryWindow } from '../measure/window.js'

export interface BudgetViolation {
  metric: TestBudgetMetric
  value: number
  limit: Limit
}

/** One test's memory, as attached to `task.meta.memory` in the worker and read by reporters. */
export interface TestMemory extends MemoryMetrics {
  attributable: true
  rssMethod: RssMethod
  /**
   * The collection run before the test: `full` for the first test of a worker and whenever the heap
   * had grown past the threshold since the last full one, `young` otherwise.
   */
  baselineGc: 'full' | 'young'
  /**
   * The collection run before `retained` was read: `full` (exact) whenever the test left the heap
   * grown by the threshold or more, `young` otherwise (then `retained` may include up to the
   * threshold of garbage the test promoted to the old generation), `none` when the heap had grown by
   * less than 256 KiB since the last collection (then `retained` is that growth, garbage included:
   * an upper bound).
   */
  retainedGc: 'full' | 'young' | 'none'
  /** The attempt these numbers belong to: the last one run, whose result the test reports. */
  retry: number
  repeat: number
  budget: ResolvedBudget
  violations: BudgetViolation[]
  /** Heap and external memory across the test's GCs, at most 64 points, the peak always kept (see {@link CompactTimeline}). */
  timeline: CompactTimeline
}

/**
 * `[gc, heap, external]` per point, bytes above the test's baseline. `gc` is the GC's ordinal: 0 the
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
}

export type TestMemoryRecord = TestMemory | UnattributedTestMemory

/** The part of Vitest's test task the recorder reads, kept structural so this layer stays free of Vitest. */
export interface RecordedTask {
  name: string
  file?: { filepath: string }
  suite?: { name: string, suite?: unknown, filepath?: string }
  result?: { retryCount?: number, repeatCount?: number }
}

export interface RecorderOptions {
  root: string
  budgets: readonly BudgetRule[]
  /** `auto`: a full GC only when the heap grew by `fullGcThreshold` since the last one; `always`: before every test. */
  gcBeforeEachTest: 'auto' | 'always'
  fullGcThreshold: number
}

/** Heap growth since the last full GC after which the next test starts with a full GC again. */
export const FULL_GC_THRESHOLD = 4 * 2 ** 20

/** Allocation between two tests below which the second needs no collection of its own. */
const RUNNER_ALLOWANCE = 256 * 2 ** 10

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

export function checkBudget(metrics: MemoryMetrics, budget: ResolvedBudget): BudgetViolation[] {
  return TEST_BUDGET_METRICS.flatMap((metric) => {
    const limit = budget.limits[metric]
    return limit && metrics[metric] > limit.bytes ? [{ metric, value: metrics[metric], limit }] : []
  })
}

/**
 * Measures every test in a worker. A full GC per test would give the cleanest baseline but costs
 * 5-20 ms in a Vitest worker; a young-generation GC costs a few microseconds and already removes
 * every short-lived object earlier tests left. What it leaves, garbage earlier tests promoted to the
 * old generation, only matters if a full collection frees it during a later test, so a full GC runs
 * at a test boundary only once the heap has grown by `fullGcThreshold` since the last one.
 */
export function createTestRecorder(options: RecorderOptions) {
  const gc = getGc()
  const matchBudget = createBudgetMatcher(options.budgets)
  const running = new Map<RecordedTask, { window: MemoryWindow | undefined, baselineGc: 'full' | 'young' }>()
  const overlapped = new Set<RecordedTask>()
  /** Heap + external right after the last full GC run here; the growth since then is potential garbage. */
  let reference: number | undefined
  /** Heap + external right after the last collection run here. */
  let collectedAt: number | undefined

  const attempt = (task: RecordedTask) => ({ retry: task.result?.retryCount ?? 0, repeat: task.result?.repeatCount ?? 0 })
  const usedNow = () => {
    const now = heapNow()
    return now.heap + now.external
  }
  // Once per file, not per test: path.relative resolves both of its paths on every call.
  const files = new Map<string, string>()
  const fileOf = (filepath: string) => {
    let file = files.get(filepath)
    if (file === undefined)
      files.set(filepath, file = relative(options.root, filepath).split(sep).join('/'))
    return file
  }

  /**
   * A young-generation GC always; then a full one if the old generation grew past the threshold since
   * the last full one (or the policy says always). Returns which ran.
   */
  function collect(): 'full' | 'young' {
    gc({ type: 'minor' })
    const used = usedNow()
    if (options.gcBeforeEachTest === 'auto' && reference !== undefined && used - reference < options.fullGcThreshold) {
      // A full GC by V8 itself may have freed more since; a lower reference keeps the check strict.
      reference = Math.min(reference, used)
      collectedAt = used
      return 'young'
    }
    // One full GC, not the customary two: what a second would free is small and, being older than
    // the test, sits in its baseline either way.
    gc()
    reference = usedNow()
    collectedAt = reference
    return 'full'
  }

  /** Whether `used` (heap + external now) is less than the runner's allowance above the last collection (policy `auto` only). */
  function littleSinceCollected(used: number): boolean {
    return options.gcBeforeEachTest === 'auto' && collectedAt !== undefined && used - collectedAt < RUNNER_ALLOWANCE
  }

  /**
   * Before a test: the previous test's end already collected, and only the runner's bookkeeping
   * (tens of kB) was allocated since; skipping a second collection then halves the GCs per test.
   */
  function collectBeforeTest(): 'full' | 'young' {
    return littleSinceCollected(usedNow()) ? 'young' : collect()
  }

  const budgetOf = (task: RecordedTask) => matchBudget(task.file ? fileOf(task.file.filepath) : '', fullNameOf(task))

  return {
    /** Whether a config budget applies to the test: only such a test can end over budget. */
    hasBudget(task: RecordedTask): boolean {
      return Object.keys(budgetOf(task).limits).length > 0
    },

    start(task: RecordedTask): void {
      if (running.size > 0) {
        // Another test is still running in this worker: neither can have numbers of its own.
        for (const other of running.keys()) overlapped.add(other)
        overlapped.add(task)
        running.set(task, { window: undefined, baselineGc: 'young' })
        return
      }
      const baselineGc = collectBeforeTest()
      running.set(task, { window: openMemoryWindow(), baselineGc })
    },

    finish(task: RecordedTask): TestMemoryRecord | undefined {
      const state = running.get(task)
      running.delete(task)
      if (!state)
        return undefined
      if (overlapped.delete(task) || !state.window) {
        state.window?.close()
        return { attributable: false, reason: 'concurrent', ...attempt(task) }
      }
      const closed = state.window.close()
      // Collecting here, not only before the next test, makes a large `retained` exact: a test that
      // built and dropped a big structure leaves it promoted to the old generation, which only a full
      // GC frees. The next test then starts from a clean heap for free. A test that, with the runner's
      // bookkeeping, allocated less than the allowance since the last collection is left as it is:
      // a young GC costs a worker 0.07 ms (bench table 4), as much as a tiny test itself, and the
      // next test starts on at most that much garbage, as it would after a skipped collection before it.
      const ended = usedNow()
      const retainedGc = littleSinceCollected(ended) ? 'none' : collect()
      // A collection leaves its reading in collectedAt.
      const after = retainedGc === 'none' ? ended : collectedAt!
      // Below zero means the test freed more than it kept (garbage older than the test was collected).
      const metrics = toMetrics(closed, Math.max(0, after - closed.baseline.heap - closed.baseline.external))
      const budget = budgetOf(task)
      return {
        attributable: true,
        ...metrics,
        rssMethod: closed.rssMethod,
        baselineGc: state.baselineGc,
        retainedGc,
        ...attempt(task),
        budget,
        violations: checkBudget(metrics, budget),
        // Made after every reading: the window's points already exist, this only packs them.
        timeline: compactTuples(closed.timeline),
      }
    },
  }
}
