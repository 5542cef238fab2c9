// The hooks that measure every test of a file and hold it to its budget, in a Node worker and in a
// Chromium page alike (no Node module here): what differs is the recorder's meter, and what the
// runtime adds around each test.
import { afterAll, afterEach, beforeEach, type TestContext } from 'vitest'
import { andThen, type MaybePromise } from '../measure/probe.js'
import type { RecordedTask, TestMemory, TestMemoryRecord } from '../worker/test-recorder.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { formatTestBudgetFailure } from './failure-message.js'
import { settleUnawaited, takeUnawaited } from './unawaited.js'

type Task = TestContext['task']

export interface Recording {
  recorder: {
    start: (task: RecordedTask) => MaybePromise<void>
    finish: (task: RecordedTask) => MaybePromise<TestMemoryRecord | undefined>
  }
  /**
   * Runs as a test starts, before its measurement (a Node worker's crash trail, its held runner
   * updates, a heap sampling started); a promise it returns is awaited before the baseline.
   */
  beforeStart?: (task: Task) => MaybePromise<void>
  /** Runs as a test's measurement ends, with its record when it has one (not for an abandoned test). */
  afterFinish?: (task: Task, record: TestMemoryRecord | undefined) => void
  /**
   * What follows a record (a heap profile, test annotations), resolving to the heap profile written,
   * if any; undefined when there is nothing to do, and the test then ends without a tick.
   */
  afterRecord?: (task: Task, record: TestMemoryRecord) => Promise<string | undefined> | undefined
  /**
   * Runs once Vitest settled the test's result, every attempt done (a Node worker's crash trail). Only
   * the plugin's runner has that step: hooks from a setup file end before the result is known.
   */
  settle?: (task: Task) => void
  /** Drops what `beforeStart` began for a test left open by a throwing afterEach. */
  abandon?: (task: Task) => MaybePromise<void>
  /**
   * A test file's hooks and tests are over (its `afterAll` hooks ran): its whole-life figures go on
   * the file's task. Node workers only.
   */
  fileEnded?: (file: Task['file']) => void
  /** Where the test is declared, for a runtime where Vitest did not record it (`includeTaskLocation` is off). */
  locate?: (task: Task) => { line: number, column: number } | undefined
}

const isOverBudget = (record: TestMemoryRecord | undefined): record is TestMemory => record?.attributable === true && record.violations.length > 0

/**
 * The attempt a test run more than once (`repeats`, `retry`) is reported by: the first that went over
 * its budget, else the latest, whose result Vitest reports. A budget holds every attempt, so a later
 * one within it does not hide an earlier one over it.
 */
function reportedAttempt(previous: TestMemoryRecord | undefined, latest: TestMemoryRecord): TestMemoryRecord {
  return isOverBudget(previous) ? previous : latest
}

/**
 * After Vitest settled the test's result: an attempt over budget whose failure Vitest turned into a
 * pass fails the test. `test.fails` inverts what the test threw, budget included, and a later
 * attempt passing ends `retry`; neither is the test's code using less memory.
 */
export function failBudgetPassedOver(task: Task): void {
  const record = (task.meta as MemoryTaskMeta).memory
  const result = task.result
  if (result?.state !== 'pass' || !isOverBudget(record))
    return
  const attempts = result.retryCount ? ` on attempt ${record.retry + 1} of ${result.retryCount + 1}` : ''
  const why = task.fails
    ? '`fails` does not invert a memory budget: it expects the test\'s own assertions to fail.'
    : `A later attempt passed; retry does not lift a memory budget, which holds every attempt.`
  const message = formatTestBudgetFailure(record).replace('Memory budget exceeded', `Memory budget exceeded${attempts}`)
  const error = errorAtTest(task, undefined, `${message}\n\n${why}`)
  result.state = 'fail'
  // Vitest's own errors reach the main process as plain objects, which is what its reporters read.
  result.errors = [...(result.errors ?? []), { name: error.name, message: error.message, stack: error.stack }]
}

/**
 * An error whose stack is the test's own line, not the plugin's frames that made it: Vitest shows the
 * code frame of the stack's first file of the project, and its `github-actions` reporter annotates
 * that place, which would otherwise be the plugin's built file in node_modules.
 */
function errorAtTest(task: Task, recording: Recording | undefined, message: string): Error {
  const error = new Error(message)
  const at = task.location ?? recording?.locate?.(task)
  if (at)
    error.stack = `Error: ${error.message}\n    at ${task.file.filepath}:${at.line}:${at.column}`
  return error
}

/** Fails the test with these errors, if any. */
function failWith(task: Task, recording: Recording | undefined, errors: readonly string[]): void {
  if (errors.length > 0)
    throw errorAtTest(task, recording, errors.join('\n\n'))
}

/**
 * Ends a test's measurement and fails the test over its budget. Synchronous in a Node worker unless
 * something follows the record: an await there would let the runner's pending jobs run between the
 * test's end and its record, and costs Vitest a timer and a few promises per test.
 */
function finishTest(task: Task, recording: Recording | undefined, unawaited: Error | undefined): MaybePromise<void> {
  const errors = unawaited ? [unawaited.message] : []
  return andThen(recording?.recorder.finish(task), (record) => {
    const meta = task.meta as MemoryTaskMeta
    if (record)
      meta.memory = reportedAttempt(meta.memory, record)
    recording?.afterFinish?.(task, record && meta.memory)
    if (!record)
      return failWith(task, recording, errors)
    const overBudget = isOverBudget(record)
    const following = recording!.afterRecord?.(task, record)
    if (!following) {
      if (overBudget)
        errors.push(formatTestBudgetFailure(record))
      return failWith(task, recording, errors)
    }
    return following.then((profile) => {
      if (overBudget)
        errors.push(formatTestBudgetFailure(record, profile))
      failWith(task, recording, errors)
    })
  })
}

/** What measures each test: its start and end, from Vitest's hooks or from the plugin's runner. */
export interface TestLifecycle {
  /** As a test starts, after Vitest's own preparation; a promise it returns is awaited before the test. */
  beforeTest: (task: Task) => MaybePromise<void>
  /** As a test ends; fails it (throws) over its budget or with an un-awaited matcher. */
  afterTest: (task: Task) => MaybePromise<void>
  /** Drops the numbers of tests whose end never came (an `afterEach` before the plugin's threw). */
  abandonEnded: () => Promise<void>
}

export function createTestLifecycle(recording: Recording | undefined): TestLifecycle {
  /** Tests being measured, from their start to their end (several only with `test.concurrent`). */
  const open = new Set<Task>()
  // An afterEach that throws stops the ones after it, this file's own among them: the test stays
  // open, the next one would count as running beside it and the runner's messages would stay held.
  // Such a test has failed already; its numbers are dropped and the next test starts clean.
  const abandonEnded = async () => {
    for (const task of open) {
      if (task.result?.state === 'run')
        continue
      open.delete(task)
      await recording?.recorder.finish(task)
      recording?.afterFinish?.(task, undefined)
      await recording?.abandon?.(task)
    }
  }
  return {
    beforeTest(task) {
      // Synchronous in a Node worker, where nothing may run between the baseline and the test.
      const abandoned = open.size > 0 ? abandonEnded() : undefined
      const start = () => {
        if (!recording)
          return
        return andThen(recording.beforeStart?.(task), () => {
          open.add(task)
          return recording.recorder.start(task)
        })
      }
      return abandoned ? abandoned.then(start) : start()
    },
    afterTest(task) {
      open.delete(task)
      const unawaited = takeUnawaited(task)
      if (unawaited)
        return settleUnawaited(unawaited).then(error => finishTest(task, recording, error))
      return finishTest(task, recording, undefined)
    },
    abandonEnded,
  }
}

/**
 * Registers the hooks of the test file being collected: Vitest calls a setup file once per test
 * file, and hooks belong to the file they are registered in.
 */
export function registerRecordingHooks(recording: Recording | undefined): void {
  const lifecycle = createTestLifecycle(recording)
  beforeEach(({ task }) => lifecycle.beforeTest(task))
  // Registered first, so it runs after the test's own afterEach hooks: their memory counts as the test's.
  afterEach(({ task }) => lifecycle.afterTest(task))
  afterAll(lifecycle.abandonEnded)
  // Registered before the test file's own afterAll hooks, so it runs after them.
  // Vitest 4.1 and 5 hand an afterAll its fixtures, then the suite: here the file's task. Vitest
  // parses the first parameter for the fixtures it names, and refuses any but a destructuring.
  afterAll(({}, suite) => recording?.fileEnded?.(suite as Task['file']))
}
