// The hooks that measure every test of a file and hold it to its budget, in a Node worker and in a
// Chromium page alike (no Node module here): what differs is the recorder's meter, and what the
// runtime adds around each test.
import { afterAll, afterEach, beforeEach, type TestContext } from 'vitest'
import type { MaybePromise } from '../measure/probe.js'
import type { RecordedTask, TestMemoryRecord } from '../worker/test-recorder.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { formatTestBudgetFailure } from './failure-message.js'

type Task = TestContext['task']

export interface Recording {
  recorder: {
    start: (task: RecordedTask) => MaybePromise<void>
    finish: (task: RecordedTask) => MaybePromise<TestMemoryRecord | undefined>
  }
  /** Runs as a test starts, before its measurement (a Node worker's crash trail, its held runner updates). */
  beforeStart?: (task: Task) => void
  /** Runs as a test's measurement ends, with its record when it has one (not for an abandoned test). */
  afterFinish?: (task: Task, record: TestMemoryRecord | undefined) => void
}

/** Fails a test for memory assertions it did not await; resolves to the error, or undefined. */
export type SettleUnawaited = (task: Task) => Promise<Error | undefined>

async function finishTest(task: Task, recording: Recording | undefined, settleUnawaited: SettleUnawaited): Promise<void> {
  const errors: string[] = []
  const unawaited = await settleUnawaited(task)
  if (unawaited)
    errors.push(unawaited.message)
  const finished = recording?.recorder.finish(task)
  // Awaited only in a page: in a Node worker an await here lets the runner's pending jobs run
  // between the test's end and its record.
  const record = finished instanceof Promise ? await finished : finished
  recording?.afterFinish?.(task, record)
  if (record) {
    ;(task.meta as MemoryTaskMeta).memory = record
    if (record.attributable && record.violations.length > 0)
      errors.push(formatTestBudgetFailure(record))
  }
  if (errors.length > 0)
    throw new Error(errors.join('\n\n'))
}

/**
 * Registers the hooks of the test file being collected: Vitest calls a setup file once per test
 * file, and hooks belong to the file they are registered in.
 */
export function registerRecordingHooks(recording: Recording | undefined, settleUnawaited: SettleUnawaited): void {
  /** Tests being measured, from their first hook to their last (several only with `test.concurrent`). */
  const open = new Set<Task>()
  // An afterEach that throws stops the ones after it, this file's own among them: the test stays
  // open, the next one would count as running beside it and the runner's messages would stay held.
  // Such a test has failed already; its numbers are dropped and the next test starts clean.
  const abandonEnded = async () => {
    for (const task of open) {
      if (task.result?.state === 'run')
        continue
      open.delete(task)
      const finished = recording?.recorder.finish(task)
      if (finished instanceof Promise)
        await finished
      recording?.afterFinish?.(task, undefined)
    }
  }

  beforeEach(({ task }) => {
    // Synchronous in a Node worker, where nothing may run between the baseline and the test.
    const abandoned = open.size > 0 ? abandonEnded() : undefined
    const start = () => {
      if (!recording)
        return
      recording.beforeStart?.(task)
      open.add(task)
      return recording.recorder.start(task)
    }
    return abandoned ? abandoned.then(start) : start()
  })
  // Registered first, so it runs after the test's own afterEach hooks: their memory counts as the test's.
  afterEach(({ task }) => {
    open.delete(task)
    return finishTest(task, recording, settleUnawaited)
  })
  afterAll(abandonEnded)
}
