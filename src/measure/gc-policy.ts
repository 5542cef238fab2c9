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
   * At most how much garbage older than a test a baseline at `used` holds, once the young
   * generation is left aside: what was promoted since the last full GC, if no test ended since it;
   * unknown (Infinity) once one did, as it may have dropped anything alive at that GC.
   */
  olderGarbage: (used: number) => number
  /**
   * A test ended, having kept `bytes` (what a full GC after it found alive, or the growth); `fullGcAfter`:
   * a full GC ran after it (at its end), so they sit in the reference.
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
  let testEndedSinceFull = true
  const auto = options.gcBeforeEachTest === 'auto'
  const fullDueRegardless = () => !auto || reference === undefined
  const littleSinceCollected = (used: number) => auto && collectedAt !== undefined && used - collectedAt < RUNNER_ALLOWANCE
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
      testEndedSinceFull = false
    },
    littleSinceCollected,
    olderGarbage: used => (testEndedSinceFull || reference === undefined ? Number.POSITIVE_INFINITY : Math.max(0, used - reference)),
    kept(bytes, fullGcAfter) {
      keptInFile += bytes
      if (fullGcAfter)
        keptInReference = keptInFile
      else
        testEndedSinceFull = true
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

/** The collection a test's end ran, and the heap + external it left. */
export interface EndCollection {
  gc: 'full' | 'young' | 'none'
  used: number
  /** Heap + external after the young GC that ran just before a full one. */
  afterYoung?: number
}

/**
 * A test's `retained` from its end collection: heap + external above its baseline (`baseline`), and
 * the collection it was read after. A full GC frees garbage older than the test too, which sits in
 * the baseline and comes off what the test kept (measured: a test keeping a 10,000,000 B Buffer read
 * 5.7 MB, after an earlier test dropped a 4 MB fixture). So the reading after a full GC is at most
 * that garbage low, which `olderGarbage` bounds (see {@link GcPolicy.olderGarbage}), and so, when no
 * full GC ran inside the test, does what the closing one freed beyond the young GC before it; the
 * reading after that young GC, which still holds what the test promoted, bounds it from above too.
 * Where those bounds leave less than the runner's allowance, the full GC's reading stands as exact;
 * otherwise the lowest upper bound does, labelled `young`: it may read high, not low.
 */
export function readRetained(end: EndCollection, baseline: number, olderGarbage: number, fullGcsInside: number): { retained: number, retainedGc: EndCollection['gc'] } {
  const above = (used: number) => Math.max(0, used - baseline)
  if (end.gc !== 'full' || end.afterYoung === undefined)
    return { retained: above(end.used), retainedGc: end.gc }
  const exact = above(end.used)
  const upper = Math.min(above(end.afterYoung), exact + olderGarbage)
  const uncertain = Math.min(upper - exact, fullGcsInside > 0 ? Number.POSITIVE_INFINITY : end.afterYoung - end.used)
  return uncertain < RUNNER_ALLOWANCE ? { retained: exact, retainedGc: 'full' } : { retained: upper, retainedGc: 'young' }
}
