import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { heapGrowth, summarizeHeapSnapshot } from '../measure/heap-snapshot.js'
import { findRetainerTraces } from '../measure/retainers.js'
import type { LeakExplanation } from './leak-matcher.js'

// A leak's explanation from two heap snapshot files, wherever they were taken: by a Node worker of
// itself, or by the Vitest process of a Chromium page over CDP.

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
  // The later snapshot is read once: by memlab when it can, for its kinds too.
  const { retainers, kinds } = await findRetainerTraces(after, earlier.ids)
  return { growth: heapGrowth(earlier.kinds, kinds ?? summarizeHeapSnapshot(after).kinds), calls, files: kept ? [before, after] : [], retainers }
}
