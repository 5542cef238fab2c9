import v8 from 'node:v8'
import { getGc } from '../measure/gc.js'
import { nodeProbe } from '../measure/node/probe.js'
import { callRepeatedly } from '../measure/repeat.js'
import { createToLeak, type LeakExplanation } from './leak-matcher.js'
import { compareSnapshots, snapshotFolder } from './leak-snapshots.js'

export { formatLeakFailure, formatRetainers, type LeakExplanation, type LeakOptions } from './leak-matcher.js'

/**
 * Takes a heap snapshot, calls the function a batch more times, takes another, and compares them.
 * Only on failure: each snapshot of a Vitest worker takes about a second, and memlab's analysis another.
 */
async function explainLeak(fn: () => unknown, calls: number, folder: string | undefined): Promise<LeakExplanation> {
  const gc = getGc()
  const snapshots = snapshotFolder(folder)
  try {
    gc()
    gc()
    const before = v8.writeHeapSnapshot(snapshots.file('before'))
    await callRepeatedly(fn, calls)
    gc()
    gc()
    const after = v8.writeHeapSnapshot(snapshots.file('after'))
    return await compareSnapshots(before, after, calls, snapshots.kept)
  }
  finally {
    snapshots.dispose()
  }
}

export const toLeak = createToLeak(nodeProbe, explainLeak)
