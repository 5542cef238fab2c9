import type { ReportFile } from './file-model.js'

/** Where the runner's memory figure came from. */
export type RunnerSource = 'cgroup v1' | 'cgroup v2' | 'physical memory' | 'option'

/** Whether the run fits the machine it ran on (or the one the `runner.memory` option names). */
export interface RunnerFit {
  /** Memory the runner gives the run, in bytes, and where that figure came from. */
  runner: { bytes: number, source: RunnerSource }
  /** Workers the pool runs at once (`maxWorkers`, 1 without file parallelism). */
  concurrency: number
  /** Resident memory of Vitest's main process at the end of the run. */
  main: number
  /** The busiest moment seen: the files running side by side, each at its peak RSS, and their sum with the main process. */
  busiest: { needed: number, files: Array<{ project: string, file: string, rss: number }> }
  /**
   * What the run needs when its heaviest files run at once, as a run in another order may: the
   * `concurrency` largest file peaks (RSS) and the main process. The fit is judged on this.
   */
  needed: number
  /** `needed` over the runner's memory. */
  share: number
  /** The share above which the run fails (`runner.failAbove`); undefined when none is set. */
  failAbove: number | undefined
  fits: boolean
  /** The most workers whose heaviest files fit in the allowed share, and no more than the files or the machine's cores (at least 1). */
  recommendedMaxWorkers: number
  /** A per-worker V8 heap limit (`heapLimit`) with half again the heaviest file's heap peak, at least 128 MiB. */
  recommendedHeapLimit: number
}

const MiB = 2 ** 20

/** The share of the runner a run may plan for when no `failAbove` is set: the rest is the system's and the page cache's. */
export const DEFAULT_SHARE = 0.8

/** Below this a worker's heap cannot hold Vitest, a test environment and much else. */
export const SMALLEST_RECOMMENDED_HEAP = 128 * MiB

/** The largest sum of peak RSS over files whose lives overlapped in time. */
function busiestMoment(files: readonly ReportFile[]): ReportFile[] {
  // A file's end sorts before another's start at the same millisecond: one worker's consecutive files do not overlap.
  const events = files.flatMap(file => [{ at: file.startedAt, file, starts: true }, { at: file.endedAt, file, starts: false }])
    .sort((a, b) => a.at - b.at || Number(a.starts) - Number(b.starts))
  const running = new Set<ReportFile>()
  let best: ReportFile[] = []
  let bestSum = -1
  for (const event of events) {
    if (!event.starts) {
      running.delete(event.file)
      continue
    }
    running.add(event.file)
    const sum = [...running].reduce((total, file) => total + file.metrics.rss, 0)
    if (sum > bestSum) {
      bestSum = sum
      best = [...running]
    }
  }
  return best
}

export interface FitInput {
  runner: { bytes: number, source: RunnerSource }
  concurrency: number
  main: number
  failAbove: number | undefined
  /** The machine's cores: more workers than cores only queue for them. */
  cores: number
}

/** The run's fit, from the files' measured peaks; undefined without files whose RSS was measured. */
export function runnerFit(files: readonly ReportFile[], input: FitInput): RunnerFit | undefined {
  const measured = files.filter(file => Number.isFinite(file.metrics.rss))
  if (measured.length === 0)
    return undefined
  const concurrency = Math.max(1, input.concurrency)
  const peaks = measured.map(file => file.metrics.rss).sort((a, b) => b - a)
  const needed = input.main + peaks.slice(0, concurrency).reduce((sum, rss) => sum + rss, 0)
  const share = needed / input.runner.bytes
  const allowed = (input.failAbove ?? DEFAULT_SHARE) * input.runner.bytes - input.main
  // Workers of the heaviest file's size that fit the allowed share, never more than there are files or cores.
  const recommendedMaxWorkers = Math.max(1, Math.min(measured.length, input.cores, Math.floor(allowed / peaks[0]!)))
  const heaviestHeap = Math.max(...measured.map(file => file.metrics.heap))
  const busiest = busiestMoment(measured)
  return {
    runner: input.runner,
    concurrency,
    main: input.main,
    busiest: {
      needed: input.main + busiest.reduce((sum, file) => sum + file.metrics.rss, 0),
      files: busiest.map(file => ({ project: file.project, file: file.file, rss: file.metrics.rss })),
    },
    needed,
    share,
    failAbove: input.failAbove,
    fits: share <= (input.failAbove ?? 1),
    recommendedMaxWorkers,
    recommendedHeapLimit: Math.max(SMALLEST_RECOMMENDED_HEAP, Math.ceil((heaviestHeap * 1.5) / MiB) * MiB),
  }
}
