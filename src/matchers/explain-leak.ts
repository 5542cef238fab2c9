import v8 from 'node:v8'
import { getGc } from '../measure/gc.js'
import { callRepeatedly } from '../measure/repeat.js'
import type { LeakExplanation } from './leak-matcher.js'
import { compareSnapshots, snapshotFolder } from './leak-snapshots.js'

/**
 * Takes a heap snapshot, calls the function a batch more times, takes another, and compares them.
 * Only on failure: each snapshot of a Vitest worker takes about a second, and memlab's analysis another.
 */
export async function explainLeak(fn: () => unknown, calls: number, folder: string | undefined): Promise<LeakExplanation> {
  const gc = getGc()
  // This module is imported just before (to-leak.ts): measured on Vitest's module runner, a snapshot
  // taken in the same turn of the event loop held one internal array more, which the calls then
  // seemed to free.
  await new Promise(resolve => setImmediate(resolve))
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
