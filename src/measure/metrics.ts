import type { ClosedWindow } from './probe.js'

/**
 * Memory used by one call, in bytes above a baseline taken after full garbage collections.
 * Peaks include garbage not yet collected: real memory the process held.
 */
export interface MemoryMetrics {
  /** Peak of V8 heap + external memory at the same instant: the memory the code asked for. */
  total: number
  /** Peak of the V8 heap (JS objects, strings, closures). */
  heap: number
  /** Peak of external memory (ArrayBuffer and Buffer contents, owned outside the heap). */
  external: number
  /**
   * Peak resident set size: what the kernel kept in RAM. Lags allocation for untouched zero pages.
   * NaN in a browser page, whose process the page cannot see.
   */
  rss: number
  /**
   * Peak of the C heap (malloc and its family, C++ `new`): what native code asked the allocator for,
   * ArrayBuffer and Buffer contents included. NaN where it is not measured.
   */
  native: number
  /** Heap + external still held after a full GC at the end: what the call kept alive (never below 0). */
  retained: number
  /** Every byte allocated on the heap and externally during the call, freed or not. */
  allocated: number
  /** Garbage collections during the call. */
  gcCount: number
  /** Milliseconds spent in those collections. */
  gcTime: number
  /** Milliseconds the call took. */
  duration: number
}

/** The metrics of a closed window, with `retained` measured by the caller's own end-of-window GC. */
export function toMetrics(closed: ClosedWindow, retained: number): MemoryMetrics {
  return {
    total: closed.peakTotal,
    heap: closed.peakHeap,
    external: closed.peakExternal,
    rss: closed.rss,
    native: closed.native,
    // What a call keeps was there at its end, which its peak covers: a reading above the peak is the
    // collection's own accounting (Node 20's V8 counts what a young GC promotes in whole free blocks:
    // a retried test read 5.21 MB retained beside a 5.01 MB peak).
    retained: Math.min(retained, closed.peakTotal),
    allocated: closed.allocated,
    gcCount: closed.gcCount,
    gcTime: closed.gcTime,
    duration: closed.duration,
  }
}
