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
  /**
   * Whether a full GC is due whatever the heap holds (the first collection, or policy `always`):
   * then no young GC need run before it to read the heap.
   */
  fullDueRegardless: () => boolean
  /** Whether, with `used` (heap + external) after a young GC, a full one is due. */
  fullDue: (used: number) => boolean
  /** A young GC left `used`. */
  collectedYoung: (used: number) => void
  /** A full GC left `used`. */
  collectedFull: (used: number) => void
  /** Whether `used` is less than the runner's allowance above the last collection (policy `auto` only). */
  littleSinceCollected: (used: number) => boolean
  /**
   * A test kept `bytes` (what its `retained` read); `fullGcAfter`: a full GC ran after it (at its
   * end), so they sit in the reference.
   */
  kept: (bytes: number, fullGcAfter: boolean) => void
  /**
   * The next test file starts in the same worker (`isolate: false`), and what this file's tests kept
   * may now be garbage, with no allocation to show it. What they kept since the last full GC already
   * counts as growth; what a full GC found alive sits in the reference, which is lowered by it. The
   * next boundary collects.
   */
  fileEnded: () => void
}

export function createGcPolicy(options: GcPolicyOptions): GcPolicy {
  /** Heap + external right after the last full GC; the growth since then is potential garbage. */
  let reference: number | undefined
  /** Heap + external right after the last collection. */
  let collectedAt: number | undefined
  /**
   * What the current file's tests kept, and the part of it alive at the last full GC (counted twice
   * if the whole were taken off the reference: measured 24 full GCs where 11 were due in a suite of
   * 154 files).
   */
  let keptInFile = 0
  let keptInReference = 0
  const auto = options.gcBeforeEachTest === 'auto'
  const fullDueRegardless = () => !auto || reference === undefined
  return {
    fullDueRegardless,
    fullDue: used => fullDueRegardless() || used - reference! >= options.fullGcThreshold,
    collectedYoung(used) {
      // A full GC by V8 itself may have freed more since; a lower reference keeps the check strict.
      reference = Math.min(reference ?? used, used)
      collectedAt = used
    },
    collectedFull(used) {
      reference = used
      collectedAt = used
      keptInReference = keptInFile
    },
    littleSinceCollected: used => auto && collectedAt !== undefined && used - collectedAt < RUNNER_ALLOWANCE,
    kept(bytes, fullGcAfter) {
      keptInFile += bytes
      if (fullGcAfter)
        keptInReference = keptInFile
    },
    fileEnded() {
      if (keptInFile === 0)
        return
      if (reference !== undefined)
        reference -= keptInReference
      keptInFile = 0
      keptInReference = 0
      collectedAt = undefined
    },
  }
}
