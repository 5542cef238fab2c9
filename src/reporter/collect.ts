import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import type { TestCase, TestModule } from 'vitest/node'
import { createLineFinder } from '../worker/locate.js'
import type { CollectedTest } from '../report/model.js'
import type { TrailRecord } from '../worker/trail-directory.js'
import type { MemoryTaskMeta } from '../worker/types.js'

export const toPosix = (path: string): string => path.split(sep).join('/')

/**
 * One test as the report needs it. A worker that died sent Vitest no more results: then its trail
 * has the records and results of the tests it finished, and names the test it was running. They go
 * into `task.meta` like the worker's own, so that a blob reporter carries them to
 * `vitest --merge-reports` too. `trails` is called only for a test whose results did not all arrive,
 * so a run where none died never reads them.
 */
function collect(testCase: TestCase, file: string, project: string, occurrence: number, lineOf: (testCase: TestCase) => number | null, trails: () => ReadonlyMap<string, TrailRecord>): CollectedTest {
  const vitestState = testCase.result().state
  const meta = testCase.meta() as MemoryTaskMeta
  // A skipped test never ran: it counts only as present, for the baseline.
  if (vitestState !== 'skipped' && !(meta.memory && vitestState !== 'pending') && !meta.memoryCrash && !meta.memorySettled) {
    const trail = trails().get(testCase.id)
    if (trail?.finished)
      meta.memory ??= trail.finished
    else if (trail && vitestState === 'pending')
      meta.memoryCrash = trail.started
    if (trail?.settled && vitestState === 'pending')
      meta.memorySettled = trail.settled
  }
  const state = vitestState === 'pending' ? meta.memorySettled ?? vitestState : vitestState
  return {
    id: testCase.id,
    project,
    browser: browserOf(testCase),
    file,
    name: testCase.fullName,
    ...(occurrence > 1 && { occurrence }),
    line: testCase.location?.line ?? lineOf(testCase),
    state,
    memory: meta.memory,
    ...(meta.heapProfiles && { heapProfiles: meta.heapProfiles }),
    ...(state === 'pending' && meta.memoryCrash && { crash: meta.memoryCrash }),
  }
}

/** The browser a browser-mode project runs in (its instance's, e.g. `chromium`); null in Node. */
function browserOf(testCase: TestCase): string | null {
  const browser = testCase.project.config.browser
  return browser?.enabled ? browser.name : null
}

/** The titles from the outermost `describe` to the test's own. */
function namePath(testCase: TestCase): string[] {
  const names = [testCase.name]
  for (let parent = testCase.parent; parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name)
  return names
}

/** Finds tests' lines in the module's source, read once and only if Vitest located none of them. */
function lineFinder(moduleId: string): (testCase: TestCase) => number | null {
  let find: ((names: readonly string[]) => number | null) | undefined
  return (testCase) => {
    if (!find) {
      let source = ''
      try {
        source = readFileSync(moduleId, 'utf8')
      }
      catch {
        // A module with no file of its own (virtual, or deleted since it ran) gives no lines.
      }
      find = createLineFinder(source)
    }
    return find(namePath(testCase))
  }
}

/**
 * Every test of the run that ran in a worker, skipped and todo ones included; type tests
 * (`*.test-d.ts`) run in the compiler and are left out. Files are relative to `root`; each test's
 * project is named as `projectName` says (a package's own config may name it otherwise than Vitest).
 */
export function collectTests(testModules: ReadonlyArray<TestModule>, root: string, trails: () => ReadonlyMap<string, TrailRecord>, projectName: (name: string) => string = name => name): CollectedTest[] {
  // Vitest 5 marks a type-test file only, Vitest 4 its tests as well.
  return testModules.filter(module => !(module.meta() as { typecheck?: boolean }).typecheck).flatMap((module) => {
    // Once per file: path.relative resolves both of its paths on every call.
    const file = toPosix(relative(root, module.moduleId))
    const project = projectName(module.project.name)
    const lineOf = lineFinder(module.moduleId)
    // Skipped tests count too: a test's key must not change when another of its name is skipped.
    const seen = new Map<string, number>()
    return [...module.children.allTests()]
      .map((test) => {
        const occurrence = (seen.get(test.fullName) ?? 0) + 1
        seen.set(test.fullName, occurrence)
        return collect(test, file, project, occurrence, lineOf, trails)
      })
  })
}
