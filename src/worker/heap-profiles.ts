import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import type { HeapProfile } from '../measure/allocation-sites.js'
import { writeFileAtomic } from '../report/write-atomic.js'
import { fullNameOf, type RecordedTask } from './test-recorder.js'
import type { MemoryTaskMeta } from './types.js'

/** Characters of a test's file and name kept in a profile's file name; the hash tells the rest apart. */
const NAME_LIMIT = 80

/** Text as a piece of a file name on every system: letters, digits, `.`, `_` and `-`, nothing else, never a leading dot. */
function safePiece(text: string): string {
  return text.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^[.-]+|-+$/g, '').slice(0, NAME_LIMIT)
}

/**
 * The file name of a test's heap profile: readable (file and test name) and unique (a hash of the
 * exact file and name, which the readable part may have lost), whatever characters the name holds.
 * `label` tells apart the profiles of one test: `test` for its budget, `toStayUnder-2` for its second matcher.
 */
export function heapProfileName(file: string, testName: string, label: string): string {
  // Required here, not imported: node:crypto is 1.5 ms of every test worker's start, and only a
  // test that ends over budget with profiles on names a profile.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  const hash = createHash('sha256').update(`${file}\0${testName}`).digest('hex').slice(0, 10)
  const base = file.split(/[\\/]/).at(-1) ?? ''
  const readable = [safePiece(base), safePiece(testName)].filter(Boolean).join('--') || 'test'
  return `${readable}--${hash}-${safePiece(label)}.heapprofile`
}

/** Where this worker writes heap profiles (the plugin's `profiles` option), and the root paths are shown relative to. */
let target: { directory: string, root: string } | undefined

export function setHeapProfileDirectory(directory: string | undefined, root: string): void {
  target = directory === undefined ? undefined : { directory, root }
}

/** Failing `toStayUnder` calls of each test so far, which number their profiles. */
const matcherProfiles = new WeakMap<object, number>()

/** The part of Vitest's test task a profile is named after and linked from. */
export interface ProfiledTask extends RecordedTask {
  meta: object
}

/**
 * Writes a test's profile (atomically) when profiles are on, and links it from the test's
 * `task.meta.heapProfiles`; returns its path relative to the root, with forward slashes, as the
 * report and failure messages show it. `label` names what found the test too heavy.
 */
export function keepHeapProfile(profile: HeapProfile, task: ProfiledTask, label: 'test' | 'toStayUnder'): string | undefined {
  if (!target)
    return undefined
  const meta = task.meta as MemoryTaskMeta
  const file = task.file ? relative(target.root, task.file.filepath) : ''
  let numbered: string = label
  if (label === 'toStayUnder') {
    const count = (matcherProfiles.get(task) ?? 0) + 1
    matcherProfiles.set(task, count)
    numbered = `${label}-${count}`
  }
  const path = join(target.directory, heapProfileName(file.split(sep).join('/'), fullNameOf(task), numbered))
  writeFileAtomic(path, JSON.stringify(profile))
  const shown = relative(target.root, path).split(sep).join('/')
  meta.heapProfiles = [...(meta.heapProfiles ?? []).filter(p => p !== shown), shown]
  return shown
}
