import { relative, sep } from 'node:path'
import { getGc } from '../measure/gc.js'
import { createGcPolicy, type EndCollection, type GcPolicyOptions, readRetained } from '../measure/gc-policy.js'
import { heapNow, type MemoryWindow, openMemoryWindow } from '../measure/window.js'
import type { BoundaryGc, TestMeter } from './test-recorder.js'

/** A test file's path relative to the root, as the budget patterns match it. */
export function relativeFile(root: string, filepath: string): string {
  return relative(root, filepath).split(sep).join('/')
}

interface Started {
  window: MemoryWindow
  baselineGc: BoundaryGc
  /** At most how much garbage older than the test the baseline holds (old generation; Infinity: unknown). */
  olderGarbage: number
  exactRetained: boolean
}

/**
 * A Node worker's side of per-test recording: synchronous throughout, so nothing runs between a
 * test's baseline and the test, or between its end and the reading.
 */
export function createNodeMeter(options: GcPolicyOptions): TestMeter<Started> {
  const gc = getGc()
  const policy = createGcPolicy(options)
  const usedNow = () => {
    const now = heapNow()
    return now.heap + now.external
  }

  /**
   * A young-generation GC; then a full one if the policy says so, or `full`. Returns which ran, the
   * heap + external it left, and, before a full one, what the young one left.
   */
  function collect(full = false): EndCollection & { gc: 'full' | 'young' } {
    // A full GC empties the young generation too: where one is due anyway, a young GC before it
    // would only copy what the full one then moves (5.4 ms of a fresh worker's first test, whose
    // young generation holds what starting Vitest left).
    let afterYoung: number | undefined
    if (!full && !policy.fullDueRegardless()) {
      gc({ type: 'minor' })
      afterYoung = usedNow()
      if (!policy.fullDue(afterYoung)) {
        policy.collectedYoung(afterYoung)
        return { gc: 'young', used: afterYoung }
      }
    }
    // One full GC, not the customary two: what a second would free is small and, being older than
    // the test, sits in its baseline either way.
    gc()
    const afterFull = usedNow()
    policy.collectedFull(afterFull)
    return { gc: 'full', used: afterFull, afterYoung }
  }

  return {
    start(exactRetained = false) {
      // The previous test's end already collected, and only the runner's bookkeeping (tens of kB)
      // was allocated since: skipping a second collection then halves the GCs per test.
      const now = usedNow()
      const skipped = !exactRetained && policy.littleSinceCollected(now)
      const { gc: baselineGc, used } = skipped ? { gc: 'young' as const, used: now } : collect(exactRetained)
      return { window: openMemoryWindow(), baselineGc, olderGarbage: policy.olderGarbage(used), exactRetained }
    },
    stop({ window, baselineGc, olderGarbage, exactRetained }) {
      const closed = window.close()
      // Collecting here, not only before the next test, makes a large `retained` exact: a test that
      // built and dropped a big structure leaves it promoted to the old generation, which only a full
      // GC frees. The next test then starts from a clean heap for free. A test that, with the runner's
      // bookkeeping, allocated less than the allowance since the last collection is left as it is:
      // a young GC costs a worker 0.07 to 0.6 ms (more where its young generation holds what loading
      // files left), as much as a tiny test itself or more, and the next test starts on at most that
      // much garbage, as it would after a skipped collection before it.
      // The end the window read before its own closing work allocated anything (read after it, a
      // tiny test's retained came out 4.9 kB over its own peak).
      const ended = closed.end.heap + closed.end.external
      const after: EndCollection = !exactRetained && policy.littleSinceCollected(ended) ? { gc: 'none', used: ended } : collect(exactRetained)
      const baseline = closed.baseline.heap + closed.baseline.external
      // What a full GC found alive sits in the policy's reference, whatever `retained` reads.
      policy.kept(Math.max(0, after.used - baseline), after.gc === 'full')
      return { closed, ...readRetained(after, baseline, olderGarbage, closed.fullGcCount), baselineGc }
    },
    discard({ window }) {
      window.close()
      // It may have dropped what a full GC found alive.
      policy.kept(0, false)
    },
    fileEnded: () => policy.fileEnded(),
  }
}
