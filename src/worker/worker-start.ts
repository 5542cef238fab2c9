/**
 * Where the preload below leaves what it saw as the worker process started, for the first test
 * file's whole-life figures: Vitest's own start, the test environment (jsdom) and the setup files
 * run before any module of the plugin's loads in the worker, and a GC profiler started only then
 * would miss their peak.
 */
export const WORKER_START_KEY = 'vitest-memory-budget.worker-start'

/** What the preload leaves on `globalThis[Symbol.for(WORKER_START_KEY)]`. */
export interface WorkerStart {
  /** Running since the process started: every GC from then on, with the heap before and after it. */
  profiler: { stop: () => { statistics: unknown[] } | undefined }
  heap: number
  external: number
  /** `Date.now()` when the worker started. */
  at: number
}

/** A Node option that starts the worker's GC profiler before any other module of the worker loads. */
export const WORKER_START_IMPORT = `--import=data:text/javascript,${encodeURIComponent(
  `import v8 from 'node:v8';const p=new v8.GCProfiler();p.start();const s=v8.getHeapStatistics();`
  + `globalThis[Symbol.for(${JSON.stringify(WORKER_START_KEY)})]={profiler:p,heap:s.used_heap_size,external:s.external_memory,at:Date.now()}`,
)}`
