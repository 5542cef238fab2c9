import v8 from 'node:v8'
import { getGc } from '../measure/gc.js'
import { type LongRssWatch, watchLongRss } from '../measure/rss.js'
import { heapNow, toGcEvent } from '../measure/window.js'
import { WORKER_START_KEY, type WorkerStart } from './worker-start.js'

/**
 * A test file's memory over its whole life in its worker: from the worker's start (its first file)
 * or the previous file's end (a worker that runs several, `isolate: false`) to its own end, so its
 * imports, test environment, hooks and module state count as well as its tests. Figures are the
 * worker's own, not above a baseline: what the machine had to give this worker while the file ran.
 */
export interface FileMemory {
  /** The worker's process id: files one worker ran share it. */
  worker: number
  /** The file's place among the files its worker ran, from 1. */
  order: number
  /** `Date.now()` when the file's life began and ended, to tell which files ran side by side. */
  startedAt: number
  endedAt: number
  /** Peaks of the worker's V8 heap, external memory and both at one instant, in bytes. */
  heap: number
  external: number
  total: number
  /** Peak resident memory of the worker, in bytes. */
  rss: number
  /** `kernel`: the peak during the file; `lifetime`: the worker's peak so far (no resettable mark here). */
  rssMethod: LongRssWatch['method']
  /** Peak of the C heap; NaN until measured. */
  native: number
  /** Heap + external the worker held after a GC at the file's end (`retainedGc`): what it carries into its next file. */
  retained: number
  /**
   * `full`: `retained` is exact; `young`: an upper bound (old-generation garbage included), read where
   * it grew less than {@link GROWTH_NOISE} or in a worker that runs no other file (`isolate`).
   */
  retainedGc: 'full' | 'young'
  /** What it held as the file's life began: the previous file's `retained`, or at the worker's start. */
  startRetained: number
  gcCount: number
  /** Milliseconds in GC during the file's life. */
  gcTime: number
  /** The worker's V8 heap limit. */
  heapLimit: number
}

/** Below this a file's growth is the runner's own bookkeeping, not a cause (measured: 15 to 210 kB per file that keeps nothing). */
export const GROWTH_NOISE = 1024 * 1024

interface OpenFile {
  profiler: WorkerStart['profiler']
  startedAt: number
  startRetained: number
  rss: LongRssWatch
}

type ProfilerStatistics = v8.GCProfilerResult['statistics']

/**
 * The worker's files one after another: each `end()` closes a file's figures and opens the next one's.
 * `isolated`: each file has a worker of its own (Vitest's `isolate`), so none follows it.
 */
export function createFileMeter(isolated: boolean): { end: () => FileMemory } {
  const gc = getGc()
  const heapLimit = v8.getHeapStatistics().heap_size_limit
  const start = (globalThis as Record<symbol, WorkerStart | undefined>)[Symbol.for(WORKER_START_KEY)]
  const open = (startRetained: number, sinceStart: boolean, profiler?: WorkerStart['profiler'], at = Date.now()): OpenFile => {
    const rss = watchLongRss(sinceStart)
    if (!profiler) {
      const fresh = new v8.GCProfiler()
      fresh.start()
      profiler = fresh
    }
    return { profiler, startedAt: at, startRetained, rss }
  }
  // Without the plugin's preload (a worker started otherwise), the first file counts from here.
  const now = heapNow()
  let current = start ? open(start.heap + start.external, true, start.profiler, start.at) : open(now.heap + now.external, true)
  let order = 0
  return {
    end() {
      // Read before anything of the meter's own is allocated.
      const end = heapNow()
      const endedAt = Date.now()
      const events = ((current.profiler.stop()?.statistics ?? []) as ProfilerStatistics).map(toGcEvent)
      const rss = current.rss.stop()
      let heap = end.heap
      let external = end.external
      let total = end.heap + end.external
      let gcTime = 0
      // Heap and external memory fall only at a GC: the peaks are the largest values just before one.
      for (const { before, duration } of events) {
        heap = Math.max(heap, before.heap)
        external = Math.max(external, before.external)
        total = Math.max(total, before.heap + before.external)
        gcTime += duration
      }
      // What the worker still holds is what the file left for the next one. A young GC first (1 to
      // 6 ms): where even that upper bound grew less than the noise, or the worker runs no other file
      // (`isolated`), it is enough; a full GC (10 to 80 ms with 61 MB held, on a loaded machine) makes
      // a larger growth exact, so that a file named as a worker's cause did keep what it is charged with.
      gc({ type: 'minor' })
      let after = heapNow()
      let retainedGc: FileMemory['retainedGc'] = 'young'
      if (!isolated && after.heap + after.external - current.startRetained >= GROWTH_NOISE) {
        gc()
        after = heapNow()
        retainedGc = 'full'
      }
      const retained = after.heap + after.external
      const figures: FileMemory = {
        worker: process.pid,
        order: ++order,
        startedAt: current.startedAt,
        endedAt,
        heap,
        external,
        total,
        rss,
        rssMethod: current.rss.method,
        native: Number.NaN,
        retained,
        retainedGc,
        startRetained: current.startRetained,
        gcCount: events.length,
        gcTime,
        heapLimit,
      }
      current = open(retained, false)
      return figures
    },
  }
}
