import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import v8 from 'node:v8'
import { getGc } from '../measure/gc.js'
import { heapGrowth, summarizeHeapSnapshot } from '../measure/heap-snapshot.js'
import { nodeProbe } from '../measure/node/probe.js'
import { callRepeatedly } from '../measure/repeat.js'
import { findRetainerTraces } from '../measure/retainers.js'
import { createToLeak, type LeakExplanation } from './leak-matcher.js'

export { formatLeakFailure, formatRetainers, type LeakExplanation, type LeakOptions } from './leak-matcher.js'

/** Where one explanation's heap snapshots go: the user's folder, kept, or a temporary one, removed after. */
export function snapshotFolder(folder: string | undefined) {
  const directory = folder ? resolve(folder) : mkdtempSync(join(tmpdir(), 'vitest-memory-budget-'))
  mkdirSync(directory, { recursive: true })
  const stamp = `${process.pid}-${Date.now()}`
  return {
    file: (phase: 'before' | 'after') => join(directory, `leak-${stamp}-${phase}.heapsnapshot`),
    kept: folder !== undefined,
    dispose: () => {
      if (!folder)
        rmSync(directory, { recursive: true, force: true })
    },
  }
}

/** What grew from one heap snapshot to the next and, through memlab, what holds the new objects. */
export async function compareSnapshots(before: string, after: string, calls: number, kept: boolean): Promise<LeakExplanation> {
  const earlier = summarizeHeapSnapshot(before)
  const growth = heapGrowth(earlier.kinds, summarizeHeapSnapshot(after).kinds)
  const retainers = await findRetainerTraces(after, earlier.ids)
  return { growth, calls, files: kept ? [before, after] : [], retainers }
}

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
