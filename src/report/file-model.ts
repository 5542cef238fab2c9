import { fileBudgetOf, type FileBudgetMetric, type FileBudgetRule } from './file-budgets.js'
import type { MemoryMetrics } from '../measure/metrics.js'
import { type FileMemory, GROWTH_NOISE } from '../worker/file-meter.js'

/**
 * A test file's whole-life figures in its worker (see {@link FileMemory}), named as a test's are but
 * the worker's own, not above a baseline: `total`, `heap`, `external` and `rss` its peaks while the
 * file lived, `native` NaN (null in JSON) until measured, `retained` what it held after a GC at the
 * file's end (see `retainedGc`), `duration` from the file's life's start to its end.
 */
export interface FileMetrics extends Pick<MemoryMetrics, 'total' | 'heap' | 'external' | 'rss' | 'native' | 'retained' | 'gcCount' | 'gcTime' | 'duration'> {
  /**
   * `retained` less what the worker held as the file's life began: what the file left in the worker
   * (for a worker's first file, counted from the worker's start, so Vitest's own start is in it).
   */
  grew: number
}

export interface FileViolation {
  metric: FileBudgetMetric
  value: number
  limit: number
  pattern: string
}

export interface ReportFile {
  project: string
  /** Path relative to the root, with forward slashes. */
  file: string
  /** The worker's process id: files one worker ran share it. */
  worker: number
  /** The file's place among its worker's files, from 1. */
  order: number
  /** When the file's life began and ended (ms since the epoch), to tell which files ran side by side. */
  startedAt: number
  endedAt: number
  metrics: FileMetrics
  /** `kernel`: the peak during the file's life; `lifetime`: the worker's peak so far (an upper bound). */
  rssMethod: FileMemory['rssMethod']
  /** `full`: `retained` is exact; `young`: in a worker of the file's own (`isolate`), an upper bound. */
  retainedGc: FileMemory['retainedGc']
  /** The worker's V8 heap limit. */
  heapLimit: number
  /** Limits from `fileBudgets`, per metric, and the key that set each. */
  budget: Partial<Record<FileBudgetMetric, { bytes: number, pattern: string }>>
  violations: FileViolation[]
}

/** A file's report entry from its worker's figures; budgets are applied by the caller. */
export function toReportFile(project: string, file: string, memory: FileMemory): ReportFile {
  return {
    project,
    file,
    worker: memory.worker,
    order: memory.order,
    startedAt: memory.startedAt,
    endedAt: memory.endedAt,
    metrics: {
      total: memory.total,
      heap: memory.heap,
      external: memory.external,
      rss: memory.rss,
      // JSON carries NaN as null: a trail read back gives null.
      native: memory.native ?? Number.NaN,
      retained: memory.retained,
      grew: memory.retained - memory.startRetained,
      gcCount: memory.gcCount,
      gcTime: memory.gcTime,
      duration: memory.endedAt - memory.startedAt,
    },
    rssMethod: memory.rssMethod,
    retainedGc: memory.retainedGc,
    heapLimit: memory.heapLimit,
    budget: {},
    violations: [],
  }
}

/** The file with the `fileBudgets` limits that apply to it, and those it broke. */
export function withFileBudget(file: ReportFile, rules: readonly FileBudgetRule[]): ReportFile {
  const budget = fileBudgetOf(rules, file.file)
  const violations = (Object.entries(budget) as Array<[FileBudgetMetric, { bytes: number, pattern: string }]>)
    .filter(([metric, limit]) => file.metrics[metric] > limit.bytes)
    .map(([metric, limit]) => ({ metric, value: file.metrics[metric], limit: limit.bytes, pattern: limit.pattern }))
  return { ...file, budget, violations }
}

/** One worker that ran several files, and what it held after each. */
export interface WorkerGrowth {
  worker: number
  project: string
  /** Its files in the order it ran them. */
  files: ReportFile[]
  /** What it held after its last file less what it held at its start. */
  grew: number
  /** The files that grew it most (by `grew`, largest first), those that grew it at all: the cause, not the victim. */
  causes: ReportFile[]
}


/** Workers that ran more than one file, each with the files that grew it most. */
export function workerGrowth(files: readonly ReportFile[]): WorkerGrowth[] {
  const byWorker = new Map<number, ReportFile[]>()
  for (const file of files) {
    const list = byWorker.get(file.worker)
    if (list)
      list.push(file)
    else
      byWorker.set(file.worker, [file])
  }
  return [...byWorker.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([worker, list]) => {
      const ordered = [...list].sort((a, b) => a.order - b.order)
      const first = ordered[0]!
      const last = ordered.at(-1)!
      const causes = ordered.filter(f => f.metrics.grew >= GROWTH_NOISE).sort((a, b) => b.metrics.grew - a.metrics.grew)
      return { worker, project: first.project, files: ordered, grew: last.metrics.retained - (first.metrics.retained - first.metrics.grew), causes }
    })
    .sort((a, b) => b.grew - a.grew || a.worker - b.worker)
}

/** Files in a stable order: project, then path. */
export function sortFiles(files: ReportFile[]): ReportFile[] {
  return files.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || a.startedAt - b.startedAt)
}
