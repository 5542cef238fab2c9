import v8 from 'node:v8'
import { performance } from 'node:perf_hooks'
import { type GcEvent, type HeapPoint, summarizeGcTrace } from './gc-trace.js'
import { openNativeWindow } from './native.js'
import type { ClosedWindow, WindowOptions } from './probe.js'
import { watchRss } from './rss.js'

/** Heap and external memory in use now, in bytes. */
export function heapNow(): HeapPoint {
  const stats = v8.getHeapStatistics()
  return { heap: stats.used_heap_size, external: stats.external_memory }
}

interface ProfilerHeapStatistics {
  heapStatistics: { usedHeapSize: number, externalMemory: number }
}

/** One entry of V8's GCProfiler as a GC event, in milliseconds. */
export function toGcEvent(entry: v8.GCProfilerResult['statistics'][number]): GcEvent {
  const point = (s: ProfilerHeapStatistics): HeapPoint => ({ heap: s.heapStatistics.usedHeapSize, external: s.heapStatistics.externalMemory })
  return {
    type: entry.gcType,
    before: point(entry.beforeGC as unknown as ProfilerHeapStatistics),
    after: point(entry.afterGC as unknown as ProfilerHeapStatistics),
    // GCProfiler reports cost in microseconds.
    duration: entry.cost / 1000,
  }
}

export interface MemoryWindow {
  readonly baseline: HeapPoint
  close: () => ClosedWindow
}

const NO_POINT: HeapPoint = { heap: 0, external: 0 }

/** Profilers of closed windows: starting one again costs half of making a new one (30 against 60 µs). */
const idleProfilers: v8.GCProfiler[] = []

/**
 * Starts watching memory from now on: every GC until `close()` is recorded with the heap before and
 * after it, which gives exact peaks. The caller chooses how clean the baseline is (which GC, if any,
 * runs before).
 *
 * Everything the window needs is allocated before its baseline is read, and `close()` reads the end
 * before it allocates anything, so the window counts almost none of its own memory: only the
 * baseline read's result objects (about 720 B), so a no-op reads under 1 kB. They are not subtracted:
 * a GC, or sweeping, can free them or other memory unseen, and a discount would then read under
 * the true figure.
 */
export function openMemoryWindow(options: WindowOptions = {}): MemoryWindow {
  const rss = watchRss(options.rss, options.rssSampleInterval)
  // Windows nest (a matcher inside a measured test): each has a profiler of its own.
  const profiler = idleProfilers.pop() ?? new v8.GCProfiler()
  let started = 0
  let native: ReturnType<typeof openNativeWindow>
  const window: MemoryWindow = {
    baseline: NO_POINT,
    close() {
      const end = heapNow()
      const nativePeak = native ? native.close() : Number.NaN
      const duration = performance.now() - started
      const gcs = profiler.stop()?.statistics ?? []
      idleProfilers.push(profiler)
      const rssPeak = rss.stop()
      const baseline = window.baseline
      return {
        ...summarizeGcTrace(baseline, gcs.map(toGcEvent), end),
        baseline,
        end,
        rss: Math.max(0, rssPeak - rss.start),
        rssMethod: rss.method,
        native: nativePeak,
        nativeMethod: native ? 'interposer' : 'none',
        duration,
      }
    },
  }
  profiler.start()
  started = performance.now()
  native = openNativeWindow()
  ;(window as { baseline: HeapPoint }).baseline = heapNow()
  return window
}
