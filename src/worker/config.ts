import type { BudgetRule } from '../budgets/types.js'

/** The key under which the plugin provides its settings to test workers (`project.provide` / `inject`). */
export const WORKER_CONFIG_KEY = 'vitestMemoryBudget' as const

/** What a test worker needs to record tests and hold them to budgets: plain data, sent once per project. */
export interface WorkerConfig {
  /** The root that budget file patterns are relative to. */
  root: string
  budgets: BudgetRule[]
  gcBeforeEachTest: 'auto' | 'always'
  fullGcThreshold: number
  /** Where each worker appends its trail (see `openTrail`). */
  trailDirectory: string
  /** The plugin's `heapLimit` option in bytes, for a crash to name beside V8's own limit; undefined when not set. */
  heapLimit: number | undefined
  /** Absolute directory for heap profiles of failing `toStayUnder` calls and over-budget tests, if on. */
  profiles: string | undefined
  /**
   * Whether each test file runs in a worker of its own (Vitest's `isolate`): then nothing follows a
   * file in its worker, and what the worker still holds at the file's end is read after a young GC,
   * never a full one (measured: a fresh worker's first full GC took 50 to 60 ms on a loaded 2-core
   * machine, its young GC 2 to 6 ms).
   */
  isolate: boolean
  /** Whether each test gets its figures as Vitest test annotations (for `vitest --ui` and the `html` reporter). */
  annotations: boolean
}
