import type { WorkerConfig } from './config.js'
import type { FileMemory } from './file-meter.js'
import type { TestMemoryRecord } from './test-recorder.js'
import type { MemoryAtStart, SettledState } from './trail.js'

/** What the plugin adds to each test's `task.meta` (and a reporter's `testCase.meta()`). */
export interface MemoryTaskMeta {
  /** Set for every test run under the plugin (not for skipped or todo tests). */
  memory?: TestMemoryRecord
  /** Set at the end of the run on a test whose worker died while it ran: the worker's memory when it started. */
  memoryCrash?: MemoryAtStart
  /**
   * Set at the end of the run on a test that finished in a worker that died before sending its
   * result: the result the worker's trail recorded, where Vitest reports `pending`.
   */
  memorySettled?: SettledState
  /**
   * Heap profiles written for this test (the plugin's `profiles` option): by a failing `toStayUnder`
   * and when the test was over its budget. Paths relative to the root.
   */
  heapProfiles?: string[]
  /** On a test file's task (a reporter's `testModule.meta()`): the file's whole-life figures in its worker. */
  memoryFile?: FileMemory
}

// Vitest 5 declares TaskMeta in 'vitest' itself, so this types `testCase.meta().memory` there. Vitest 4
// declares it in '@vitest/runner', which this augmentation does not reach: there, `readTestMemory()`
// (or a cast to MemoryTaskMeta) gives the same typed access.
declare module 'vitest' {
  interface TaskMeta extends MemoryTaskMeta {}
  interface ProvidedContext {
    /** The plugin's settings for test workers; the key is `WORKER_CONFIG_KEY`. */
    vitestMemoryBudget: WorkerConfig
  }
}

/** A test's memory record from anything with Vitest's `meta()` (a reporter's `TestCase`). */
export function readTestMemory(testCase: { meta: () => object }): TestMemoryRecord | undefined {
  return (testCase.meta() as MemoryTaskMeta).memory
}
