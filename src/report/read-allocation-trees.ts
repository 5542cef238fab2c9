import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { allocationTree, type AllocationTree, MalformedProfileError } from './allocation-tree.js'
import type { MemoryReport } from './model.js'

/** Profiles drawn in one page: 50 trees of at most 300 nodes keep the page under a megabyte more. */
export const MAX_DRAWN_PROFILES = 50

/** A profile's allocation tree, or why the page cannot draw it. */
export type ProfileTree = AllocationTree | { unreadable: string }

/** The heap profiles a page draws: those of the heaviest tests first (peak), at most `limit`. */
export function profilesToDraw(report: MemoryReport, limit = MAX_DRAWN_PROFILES): string[] {
  const profiled = report.tests.filter(test => test.heapProfiles && test.heapProfiles.length > 0)
  profiled.sort((a, b) => (b.metrics?.total ?? -1) - (a.metrics?.total ?? -1))
  return [...new Set(profiled.flatMap(test => test.heapProfiles!))].slice(0, limit)
}

function readTree(path: string): ProfileTree {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  }
  catch (error) {
    return { unreadable: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }
  }
  let profile: unknown
  try {
    profile = JSON.parse(text)
  }
  catch {
    return { unreadable: 'not JSON' }
  }
  try {
    return allocationTree(profile)
  }
  catch (error) {
    if (error instanceof MalformedProfileError)
      return { unreadable: `not a V8 heap profile: ${error.message}` }
    // Whatever else a file brings about is still the file's fault: the page says so, the run goes on.
    return { unreadable: `cannot read it (${(error as Error).message})` }
  }
}

/**
 * The allocation trees of the report's heaviest profiled tests, by the path the report names each
 * profile with; `root` is what those paths are relative to. A missing or broken file is a tree the
 * page says it cannot draw, never an error of the run that writes the page.
 */
export function readProfileTrees(report: MemoryReport, root: string): Map<string, ProfileTree> {
  return new Map(profilesToDraw(report).map(path => [path, readTree(resolve(root, path))]))
}
