/**
 * When a test boundary pays for a collection, the same in a Node worker and in a Chromium page (the
 * probes differ in what a collection costs, not in when one is worth it). A full GC per test would
 * give the cleanest baseline but costs 5-20 ms in a Vitest worker or page; a young-generation GC
 * costs well under a millisecond and already removes every short-lived object earlier tests left.
 * What it leaves, garbage earlier tests promoted to the old generation, only matters if a full
 * collection frees it during a later test, so a full GC runs at a test boundary only once the heap
 * has grown by `fullGcThreshold` since the last one. Pure bookkeeping: the caller collects.
 */

export interface GcPolicyOptions {
  /** `auto`: a full GC only when the heap grew by `fullGcThreshold` since the last one; `always`: before every test. */
  gcBeforeEachTest: 'auto' | 'always'
  fullGcThreshold: number
}

/** Heap growth since the last full GC after which the next test starts with a full GC again. */
export const FULL_GC_THRESHOLD = 4 * 2 ** 20

/** Allocation between two tests below which the second needs no collection of its own. */
export const RUNNER_ALLOWANCE = 256 * 2 ** 10

export interface GcPolicy {
  /** Whether, with `used` (heap + external) after a young GC, a full one is due. */
  fullDue: (used: number) => boolean
  /** A young GC left `used`. */
  collectedYoung: (used: number) => void
  /** A full GC left `used`. */
  collectedFull: (used: number) => void
  /** Whether `used` is less than the runner's allowance above the last collection (policy `auto` only). */
  littleSinceCollected: (used: number) => boolean
  /**
   * `bytes` the heap holds may have turned to garbage without any allocation (what a file's tests
   * kept, once `isolate: false` starts the next file in the same worker): counted as growth since
   * the last full GC, and the next boundary collects.
   */
  mayHaveFreed: (bytes: number) => void
}

export function createGcPolicy(options: GcPolicyOptions): GcPolicy {
  /** Heap + external right after the last full GC; the growth since then is potential garbage. */
  let reference: number | undefined
  /** Heap + external right after the last collection. */
  let collectedAt: number | undefined
  const auto = options.gcBeforeEachTest === 'auto'
  return {
    fullDue: used => !auto || reference === undefined || used - reference >= options.fullGcThreshold,
    collectedYoung(used) {
      // A full GC by V8 itself may have freed more since; a lower reference keeps the check strict.
      reference = Math.min(reference ?? used, used)
      collectedAt = used
    },
    collectedFull(used) {
      reference = used
      collectedAt = used
    },
    littleSinceCollected: used => auto && collectedAt !== undefined && used - collectedAt < RUNNER_ALLOWANCE,
    mayHaveFreed(bytes) {
      if (reference !== undefined)
        reference -= bytes
      collectedAt = undefined
    },
  }
}
