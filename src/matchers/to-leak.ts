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

/**
 * Takes a heap snapshot, calls the function a batch more times, takes another, lists what grew and,
 * through memlab, what holds the new objects. Only on failure: each snapshot of a Vitest worker
 * takes about a second, and memlab's analysis another.
 */
async function explainLeak(fn: () => unknown, calls: number, folder: string | undefined): Promise<LeakExplanation> {
  const gc = getGc()
  const directory = folder ? resolve(folder) : mkdtempSync(join(tmpdir(), 'vitest-memory-budget-'))
  mkdirSync(directory, { recursive: true })
  try {
    const stamp = `${process.pid}-${Date.now()}`
    gc()
    gc()
    const before = v8.writeHeapSnapshot(join(directory, `leak-${stamp}-before.heapsnapshot`))
    await callRepeatedly(fn, calls)
    gc()
    gc()
    const after = v8.writeHeapSnapshot(join(directory, `leak-${stamp}-after.heapsnapshot`))
    const earlier = summarizeHeapSnapshot(before)
    const growth = heapGrowth(earlier.kinds, summarizeHeapSnapshot(after).kinds)
    const retainers = await findRetainerTraces(after, earlier.ids)
    return { growth, calls, files: folder ? [before, after] : [], retainers }
  }
  finally {
    if (!folder)
      rmSync(directory, { recursive: true, force: true })
  }
}

export const toLeak = createToLeak(nodeProbe, explainLeak)
